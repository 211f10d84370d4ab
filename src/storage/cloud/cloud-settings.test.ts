import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCloudSettings } from './cloud-settings.js';

const load = (env: Record<string, string>) => loadCloudSettings(env, '/data');

describe('loadCloudSettings', () => {
  it('caps the store at 10 GiB and keeps files forever by default', () => {
    const settings = load({});
    assert.equal(settings.maxTotalBytes, 10 * 1024 ** 3);
    assert.equal(settings.ttlMs, undefined);
    assert.equal(load({ OPENSQ_CLOUD_MAX_TOTAL_BYTES: '0' }).maxTotalBytes, 0);
  });

  it('reads OPENSQ_CLOUD_TTL_DAYS in days, fractions included; 0 keeps files forever', () => {
    assert.equal(load({ OPENSQ_CLOUD_TTL_DAYS: '30' }).ttlMs, 30 * 86_400_000);
    assert.equal(load({ OPENSQ_CLOUD_TTL_DAYS: '0.5' }).ttlMs, 12 * 3_600_000);
    assert.equal(load({ OPENSQ_CLOUD_TTL_DAYS: String(2 / 86_400) }).ttlMs, 2000);
    assert.equal(load({ OPENSQ_CLOUD_TTL_DAYS: '0' }).ttlMs, undefined);
    assert.throws(() => load({ OPENSQ_CLOUD_TTL_DAYS: '-1' }), /OPENSQ_CLOUD_TTL_DAYS/);
    assert.throws(() => load({ OPENSQ_CLOUD_TTL_DAYS: 'a week' }), /OPENSQ_CLOUD_TTL_DAYS/);
  });
});
