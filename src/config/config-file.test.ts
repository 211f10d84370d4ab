import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigFile } from './config-file.js';

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'opensq-config-')), 'opensq.yaml');
  writeFileSync(f, text);
  return f;
}

describe('OPENSQ_CONFIG', () => {
  it('reads providers and models, substituting ${NAME} from the environment', () => {
    const config = loadConfigFile(
      file('providers:\n  eu:\n    type: openai\n    base_url: https://eu.example.com/v1\n    api_key: ${EU_KEY}\nmodels:\n  m:\n    deployments: [ { provider: eu, model: x, weight: 3 } ]\n'),
      { EU_KEY: 'secret' },
    );
    assert.equal(config.providers!.eu.api_key, 'secret');
    assert.equal(config.models!.m.deployments![0].weight, 3);
  });

  it('errors name the file and the offending key', () => {
    const f = file('models:\n  m:\n    deployments: [ { provider: eu, model: x, wieght: 3 } ]\n');
    assert.throws(() => loadConfigFile(f, {}), (e: Error) => e.message.startsWith(f) && e.message.includes('models.m.deployments.0'));
    const g = file('providers:\n  eu:\n    type: openai\n    base_url: not a url\n');
    assert.throws(() => loadConfigFile(g, {}), (e: Error) => e.message.includes('providers.eu.base_url'));
    const h = file('providers:\n  eu:\n    type: openai\n    api_key: ${MISSING_VAR}\n');
    assert.throws(() => loadConfigFile(h, {}), (e: Error) => e.message.includes('providers.eu.api_key') && e.message.includes('MISSING_VAR'));
    const bad = file('providers: [\n');
    assert.throws(() => loadConfigFile(bad, {}), (e: Error) => e.message.startsWith(bad));
  });

  it("a model's cost prices built-in tool calls by kind; a negative price or a kind that is not a plain name is refused", () => {
    const config = loadConfigFile(file('models:\n  m:\n    cost: { input: 1, output: 2, tool_calls: { web_search: 0.01, code_interpreter: 0.03 } }\n'), {});
    assert.deepEqual(config.models!.m.cost!.tool_calls, { web_search: 0.01, code_interpreter: 0.03 });
    assert.throws(() => loadConfigFile(file('models:\n  m:\n    cost: { input: 1, output: 2, tool_calls: { web_search: -1 } }\n'), {}), (e: Error) => e.message.includes('models.m.cost.tool_calls'));
    assert.throws(() => loadConfigFile(file('models:\n  m:\n    cost: { input: 1, output: 2, tool_calls: { "Web Search!": 1 } }\n'), {}), (e: Error) => e.message.includes('models.m.cost.tool_calls'));
  });
});
