import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from './parse-range.js';

describe('parseRange', () => {
  it('reads the three forms of a single byte range', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=95-500', 100), { kind: 'partial', start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'partial', start: 0, end: 99 });
  });

  it('a range past the end is unsatisfiable', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-0', 0), { kind: 'unsatisfiable' });
  });

  it('anything else is ignored and the whole file served', () => {
    for (const header of [undefined, '', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b']) {
      assert.deepEqual(parseRange(header, 100), { kind: 'full' }, String(header));
    }
  });
});
