/**
 * Old ledger rows are rolled up into hourly totals and pruned on a schedule, and the totals the
 * admin API reports do not change when raw rows go.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADMIN_KEY, admin } from '../support/admin.js';
import { startServer } from '../support/server-process.js';
import { createTestBackend } from '../support/test-backend.js';

const DAY = 86_400_000;

function oldRow(daysAgo: number, n: number, status = 'ok'): string {
  const ts = Date.now() - daysAgo * DAY;
  return `(${ts}, 'req-old-${daysAgo}-${n}', 'key_public', 0, 'chat.completions', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 10, 5, 0, 2, 0.5, 100, NULL, '${status}', ${status === 'ok' ? 200 : 502}, ${status === 'ok' ? 'NULL' : "'upstream_error'"}, 0)`;
}

describe('usage rollup', () => {
  it('rolls finished hours up, prunes raw rows past retention, and keeps the totals', async () => {
    const backend = await createTestBackend();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-rollup-'));
    const env = { OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_USAGE_RETENTION_DAYS: '3', OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0', ...backend.env };
    try {
      const first = await startServer({ env, dataDir });
      const rows = [oldRow(10, 1), oldRow(10, 2), oldRow(10, 3, 'error'), oldRow(5, 1), oldRow(2, 1)];
      await first.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${rows.join(', ')}`);
      const before = (await admin(first.url, 'GET', '/usage/summary?group_by=day')).json;
      assert.equal(before.totals.requests, 5);
      await first.stop();

      const second = await startServer({ env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '3600000' }, dataDir });
      try {
        const deadline = Date.now() + 10_000;
        let raw: Array<Record<string, any>> = [];
        while (Date.now() < deadline && (raw = await second.query('SELECT request_id FROM usage')).length !== 1) await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(raw.map((r) => r.request_id), ['req-old-2-1'], 'raw rows older than 3 days are pruned');
        const daily = await second.query('SELECT hour, requests, errors, cache_write_tokens, cost FROM usage_hourly ORDER BY hour');
        assert.deepEqual(daily.map((d) => [d.requests, d.errors, Number(d.cache_write_tokens)]), [[3, 1, 6], [1, 0, 2], [1, 0, 2]]);
        const from = new Date(Date.now() - 11 * DAY).toISOString();
        const series = (await admin(second.url, 'GET', `/usage/series?bucket=day&from=${from}&to=${new Date().toISOString()}`)).json;
        assert.equal(series.data.reduce((sum: number, p: { cache_write_tokens: number }) => sum + p.cache_write_tokens, 0), 10, 'rolled-up and raw hours both count cache writes');
        const after = (await admin(second.url, 'GET', '/usage/summary?group_by=day')).json;
        assert.deepEqual(after.totals.requests, before.totals.requests);
        assert.equal(after.totals.errors, 1);
        assert.equal(after.totals.cost, 2.5);
        assert.deepEqual(after.data.map((d: { day: string; requests: number }) => [d.day, d.requests]), before.data.map((d: { day: string; requests: number }) => [d.day, d.requests]));
        const byKey = (await admin(second.url, 'GET', '/usage?key_id=key_public')).json;
        assert.equal(byKey.totals.requests, 5);
      } finally {
        await second.stop();
      }
    } finally {
      await backend.drop();
    }
  });
});
