import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatWarning, WARNINGS } from './warnings.js';

describe('warnings', () => {
  it('show their stable code before the message, in header-safe text', () => {
    assert.equal(formatWarning('dropped_parameter', 'gemini does not support seed; ignored'), 'dropped_parameter: gemini does not support seed; ignored');
    assert.equal(formatWarning('dropped_content', 'caf\u00e9'), 'dropped_content: caf?');
    assert.equal(formatWarning('adjusted_parameter', 'x'.repeat(500)).length, 200);
  });

  it('are the codes the README lists, with the same meaning', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)].filter(([, code]) => code in WARNINGS);
    const documented = Object.fromEntries(rows.map(([, code, meaning]) => [code, meaning.replaceAll('`', '')]));
    assert.deepEqual(documented, WARNINGS);
  });
});
