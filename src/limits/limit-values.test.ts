import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTierTable } from './limit-values.js';

describe('tier table', () => {
  it('reads tiers from the config file; the anonymous tier from variables over the file', () => {
    const table = loadTierTable({ '0': { rpm: 20, max_concurrency: 4 }, '3': { tpm: 1000 }, anonymous: { rpm: 10, rpd: 100 } }, { OPENSQ_ANONYMOUS_RPM: '5', OPENSQ_ANONYMOUS_RPD: '0' });
    assert.deepEqual(table.tiers[0], { rpm: 20, tpm: null, rpd: null, maxConcurrency: 4 });
    assert.deepEqual(table.tiers[1], { rpm: null, tpm: null, rpd: null, maxConcurrency: null });
    assert.equal(table.tiers[3].tpm, 1000);
    assert.deepEqual(table.anonymous, { rpm: 5, tpm: null, rpd: null, maxConcurrency: null }, '0 switches a file limit off');
  });

  it('refuses a limit that is not a whole number', () => {
    assert.throws(() => loadTierTable(undefined, { OPENSQ_ANONYMOUS_TPM: 'lots' }), /OPENSQ_ANONYMOUS_TPM/);
  });
});
