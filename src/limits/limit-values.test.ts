import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS_DEFAULTS, loadTierTable } from './limit-values.js';

describe('tier table', () => {
  it('reads tiers from the config file; the anonymous tier from variables over the file', () => {
    const table = loadTierTable({ '0': { rpm: 20, max_concurrency: 4 }, '3': { tpm: 1000 }, anonymous: { rpm: 10, rpd: 100 } }, { OPENSQ_ANONYMOUS_RPM: '5', OPENSQ_ANONYMOUS_RPD: '0' });
    assert.deepEqual(table.tiers[0], { rpm: 20, tpm: null, rpd: null, maxConcurrency: 4 });
    assert.deepEqual(table.tiers[1], { rpm: null, tpm: null, rpd: null, maxConcurrency: null });
    assert.equal(table.tiers[3].tpm, 1000);
    assert.deepEqual(table.anonymous, { rpm: 5, tpm: 200_000, rpd: null, maxConcurrency: 8 }, '0 switches a file limit off; what neither sets is the default');
  });

  it('gives the anonymous tier limits of its own by default; null in the file is no limit', () => {
    assert.deepEqual(loadTierTable(undefined, {}).anonymous, ANONYMOUS_DEFAULTS);
    assert.ok(ANONYMOUS_DEFAULTS.rpm! > 0 && ANONYMOUS_DEFAULTS.rpd! > 0 && ANONYMOUS_DEFAULTS.maxConcurrency! > 0);
    assert.equal(loadTierTable({ anonymous: { rpm: null } }, {}).anonymous.rpm, null);
  });

  it('refuses a limit that is not a whole number', () => {
    assert.throws(() => loadTierTable(undefined, { OPENSQ_ANONYMOUS_TPM: 'lots' }), /OPENSQ_ANONYMOUS_TPM/);
  });
});
