import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestsDeeperThan } from './json-depth.js';

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    assert.equal(nestsDeeperThan('{"a":[1,{"b":[]}]}', 4), false);
    assert.equal(nestsDeeperThan('{"a":[1,{"b":[]}]}', 3), true);
    assert.equal(nestsDeeperThan(JSON.stringify({ text: '[[[[[[[[{{{{{{', quote: 'say \\"[[[[' }), 2), false);
    assert.equal(nestsDeeperThan(`${'['.repeat(5000)}${']'.repeat(5000)}`, 128), true);
  });
});
