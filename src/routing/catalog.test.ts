import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Catalog, localModelId } from './catalog.js';
import { DeploymentHealth } from './deployment-health.js';
import { ProviderRegistry } from './provider-registry.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { Router } from './router.js';

const router = new Router(new DeploymentHealth(), DEFAULT_RETRY_POLICY);

const SEED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/seed/onlysq-docs.txt');

/** Rows of the seed's "All models" tables: id, description, type, modality, first endpoint. */
function seedModels(): Array<{ id: string; description: string; type: string; modality: string; endpoint: string }> {
  const rows = [];
  for (const line of readFileSync(SEED, 'utf8').split('\n')) {
    const cells = line.split('\t');
    if (cells.length !== 5 || cells[0] === 'Model name') continue;
    rows.push({ id: cells[0], description: cells[1], type: cells[2], modality: cells[3], endpoint: cells[4] });
  }
  return rows;
}

describe('default catalog', () => {
  const catalog = new Catalog(new ProviderRegistry({}), { dataDir: '/nonexistent' });

  it('has every model of the seed table, with its description, type, modality and endpoints', () => {
    const rows = seedModels();
    assert.ok(rows.length >= 100, `parsed ${rows.length} seed rows`);
    for (const row of rows) {
      const model = catalog.get(row.id);
      assert.ok(model, `missing ${row.id}`);
      assert.equal(model.type, row.type.toLowerCase(), row.id);
      assert.equal(model.modality, { Text: 'text', Images: 'image', Sound: 'sound' }[row.modality], row.id);
      assert.ok(model.endpoints.includes(row.endpoint === 'TTS' ? 'TTS' : row.endpoint), `${row.id} endpoints`);
      if (!rows.some((other) => other.id === row.id && other.description !== row.description)) assert.equal(model.description, row.description);
    }
  });

  it('maps families to their default providers', () => {
    const provider = (id: string) => catalog.get(id)!.deployments.map((d) => d.provider.name);
    assert.deepEqual(provider('gpt-4o-mini'), ['openai']);
    assert.deepEqual(provider('o3-mini'), ['openai']);
    assert.deepEqual(provider('chatgpt-4o-latest'), ['openai']);
    assert.deepEqual(provider('claude-3.5-sonnet'), ['anthropic']);
    assert.deepEqual(provider('gemini-2.5-flash'), ['gemini']);
    assert.deepEqual(provider('gemma-3-27b-it'), ['gemini']);
    assert.deepEqual(provider('command-r-plus'), ['cohere']);
    assert.deepEqual(provider('c4ai-aya-expanse-32b'), ['cohere']);
    assert.deepEqual(provider('deepseek-r1'), ['deepseek']);
    assert.deepEqual(provider('llama-3.3-70b'), ['groq', 'together']);
    assert.deepEqual(provider('mistral-small-3.1'), ['mistral']);
    assert.deepEqual(provider('qwen3-coder-plus'), ['dashscope']);
    assert.deepEqual(provider('grok'), ['xai']);
    assert.deepEqual(provider('kimi-k2'), ['moonshot']);
    assert.deepEqual(provider('zai-glm-4.6'), ['zai']);
    assert.deepEqual(provider('flux'), ['together']);
    assert.deepEqual(provider('gtts'), ['gtts']);
    assert.equal(catalog.get('text-embedding-3-small')!.kind, 'embedding');
    assert.equal(catalog.get('text-embedding-3-large')!.kind, 'embedding');
  });

  it('without provider keys every model is down with a reason naming the variable, but the keyless speech engines', () => {
    const keyless = new Set(['gtts', 'espeak']);
    for (const model of catalog.list()) assert.equal(model.downReason === undefined, keyless.has(model.id), model.id);
    assert.match(catalog.get('gpt-4o-mini')!.downReason!, /OPENAI_API_KEY/);
    assert.match(catalog.get('llama-3.3-70b')!.downReason!, /GROQ_API_KEY.*TOGETHER_API_KEY/);
  });

  it('a configured provider brings its models up; deployments are planned by priority', () => {
    const registry = new ProviderRegistry({ GROQ_API_KEY: 'k', TOGETHER_API_KEY: 'k' });
    const live = new Catalog(registry, { dataDir: '/nonexistent' });
    const model = live.get('llama-3.3-70b')!;
    assert.equal(model.downReason, undefined);
    assert.equal(router.order(model).length, 2);
    assert.notEqual(live.get('gpt-4o-mini')!.downReason, undefined);
  });

  it('the config file overrides deployments and adds models; local models are named after their file', () => {
    const registry = new ProviderRegistry({}, { mine: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1' } });
    const custom = new Catalog(registry, {
      dataDir: '/nonexistent',
      localModel: '/models/stories260K.gguf',
      models: {
        'gpt-4o-mini': { deployments: [{ provider: 'mine', model: 'small', priority: 1 }, { provider: 'mine', model: 'big', priority: 0 }] },
        'my-model': { name: 'Mine', owner: 'me', deployments: [{ provider: 'mine', model: 'x' }] },
      },
    });
    const mini = custom.get('gpt-4o-mini')!;
    assert.equal(mini.description.length > 0, true, 'fields not overridden are kept');
    assert.deepEqual(router.order(mini).map((d) => d.model), ['big', 'small']);
    assert.equal(custom.get('my-model')!.name, 'Mine');
    assert.equal(custom.get('stories260K')!.owner, 'local');
    assert.equal(localModelId('hf:user/repo/Model-Q4.gguf'), 'Model-Q4');
  });
});
