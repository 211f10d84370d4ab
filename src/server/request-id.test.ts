import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRequestId } from './request-id.js';

describe('makeRequestId', () => {
  it('makes 32 hex digits, never the same twice, across draws of the random pool', () => {
    const ids = Array.from({ length: 2000 }, makeRequestId);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
