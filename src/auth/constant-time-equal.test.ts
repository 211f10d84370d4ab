import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantTimeEqual } from './constant-time-equal.js';

/** Median time of `runs` comparisons, in ns per comparison. */
function timeOf(compare: () => boolean, runs = 2000, rounds = 15): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) compare();
    samples.push(Number(process.hrtime.bigint() - start) / runs);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

describe('constantTimeEqual', () => {
  it('is equality, whatever the lengths', () => {
    assert.equal(constantTimeEqual('secret', 'secret'), true);
    assert.equal(constantTimeEqual('secret', 'secreT'), false);
    assert.equal(constantTimeEqual('secret', 'secret-longer'), false);
    assert.equal(constantTimeEqual('', 'secret'), false);
  });

  it('takes as long for a guess wrong in its first character as in its last, or of another length', () => {
    // Long secrets make a naive early-exit comparison's difference measurable (a hundredfold); the
    // tolerance and retries absorb noise from tests running alongside.
    const secret = 'k'.repeat(64 * 1024);
    const wrongFirst = `x${secret.slice(1)}`;
    const wrongLast = `${secret.slice(0, -1)}x`;
    const shorter = 'k'.repeat(64 * 1024 - 1);
    for (let attempt = 0; ; attempt++) {
      const first = timeOf(() => constantTimeEqual(wrongFirst, secret), 200);
      const last = timeOf(() => constantTimeEqual(wrongLast, secret), 200);
      const short = timeOf(() => constantTimeEqual(shorter, secret), 200);
      const ratio = Math.max(first, last, short) / Math.min(first, last, short);
      if (ratio < 2) return;
      if (attempt === 9) assert.fail(`timings differ: first ${first.toFixed(0)} ns, last ${last.toFixed(0)} ns, shorter ${short.toFixed(0)} ns`);
    }
  });
});
