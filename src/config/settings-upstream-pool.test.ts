import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSettings } from './settings.js';

describe('OPENSQ_UPSTREAM_CONNECTIONS', () => {
  it('is no cap by default, and when set to "unlimited"', () => {
    assert.equal(loadSettings({}).upstreamPool.connections, undefined);
    assert.equal(loadSettings({ OPENSQ_UPSTREAM_CONNECTIONS: 'unlimited' }).upstreamPool.connections, undefined);
  });

  it("reads the operator's cap", () => {
    assert.equal(loadSettings({ OPENSQ_UPSTREAM_CONNECTIONS: '64' }).upstreamPool.connections, 64);
  });

  it('stops start-up on a value that is not a whole number ≥ 1, rather than guessing', () => {
    for (const raw of ['0', '-1', '1.5', 'lots', '1e400']) {
      assert.throws(() => loadSettings({ OPENSQ_UPSTREAM_CONNECTIONS: raw }), new RegExp(`OPENSQ_UPSTREAM_CONNECTIONS must be a whole number ≥ 1 or "unlimited", got "${raw.replace('.', '\\.')}"`));
    }
  });
});
