import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings } from './settings.js';

describe('breaker and Redis-limits settings', () => {
  it('defaults: five requests in a row, or half of at least twenty over 30 s; limits fail closed', () => {
    const settings = loadSettings({});
    assert.deepEqual(settings.cooldown, { failures: 5, cooldownMs: 30_000, failureRate: 0.5, windowMs: 30_000, minRequests: 20, maxPauseMs: 60_000 });
    assert.equal(settings.limitsFailOpen, false);
  });

  it("reads the operator's values", () => {
    const settings = loadSettings({ OPENSQ_COOLDOWN_FAILURES: '4', OPENSQ_COOLDOWN_FAILURE_PERCENT: '25', OPENSQ_COOLDOWN_WINDOW_MS: '10000', OPENSQ_COOLDOWN_MIN_REQUESTS: '8', OPENSQ_LIMITS_FAIL_OPEN: 'true' });
    assert.deepEqual([settings.cooldown.failures, settings.cooldown.failureRate, settings.cooldown.windowMs, settings.cooldown.minRequests], [4, 0.25, 10_000, 8]);
    assert.equal(settings.limitsFailOpen, true);
  });

  it('stops start-up on thresholds that would let one request open a circuit, rather than clamping them', () => {
    assert.throws(() => loadSettings({ OPENSQ_COOLDOWN_FAILURES: '2' }), /OPENSQ_COOLDOWN_FAILURES must be at least 3/);
    assert.throws(() => loadSettings({ OPENSQ_COOLDOWN_MIN_REQUESTS: '1' }), /OPENSQ_COOLDOWN_MIN_REQUESTS must be at least 3/);
    assert.throws(() => loadSettings({ OPENSQ_COOLDOWN_FAILURE_PERCENT: '0' }), /from 1 to 100/);
  });
});
