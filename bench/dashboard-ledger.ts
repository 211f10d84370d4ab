/**
 * `node --import tsx bench/dashboard-ledger.ts [rows] [--postgres]`: seeds a ledger (SQLite, or a
 * fresh Postgres database on 127.0.0.1:5432 with --postgres) with 1,000,000 usage rows over the last 90 days (after a first start of the built server has migrated it), then times
 * the first request of the dashboard's overview, usage and request-log views (each the only
 * request its view makes on load for its data), cold and then warm, twice:
 * - on raw rows only (the rollup off: the worst case, as right after an upgrade);
 * - after the server has rolled the backlog up into hourly totals (the steady state: only the
 *   current hour is raw), timing that backlog and the longest /health answer while it ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ADMIN_KEY } from '../test/support/admin.js';
import { startServer } from '../test/support/server-process.js';
import { createTestBackend } from '../test/support/test-backend.js';

const POSTGRES = process.argv.includes('--postgres');
const ROWS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const DAY = 86_400_000;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-ledger-'));
const backend = await createTestBackend(POSTGRES);
const env = { OPENSQ_ADMIN_KEY: ADMIN_KEY, TEST_DATABASE: POSTGRES ? 'postgres' : 'sqlite', ...backend.env };

// Migrates the database; no rollup yet, which would move the watermark past the rows seeded next.
let server = await startServer({ dataDir, env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0' } });
const models = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku', 'gemini-2.0-flash', 'deepseek-v3'];
const now = Date.now();
const started = performance.now();
if (POSTGRES) {
  // The same rows as the SQLite loop below, made by the database itself.
  await server.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream)
    SELECT ${now - 90 * DAY} + floor(i::float8 / ${ROWS} * ${90 * DAY})::bigint, 'req_' || i, 'key_' || (i % 200), 0,
      CASE WHEN i % 7 = 0 THEN 'v2' ELSE 'chat.completions' END, m, split_part(m, '-', 1), split_part(m, '-', 1) || '/' || m,
      100 + i % 400, 50 + i % 300, 0, 0.0001 * (i % 17), 200 + i % 900, 80 + i % 200,
      CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END, CASE WHEN i % 50 = 0 THEN 'upstream_error' END, 1
    FROM (SELECT i, (ARRAY['${models.join("','")}'])[i % 5 + 1] AS m FROM generate_series(0, ${ROWS - 1}) AS i) AS seed`);
  await server.query('ANALYZE usage');
  await server.stop();
} else {
  await server.stop();
  const db = new Database(path.join(dataDir, 'opensq.db'));
  const insert = db.prepare(
    'INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 1)',
  );
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const ts = now - 90 * DAY + Math.floor((i / ROWS) * 90 * DAY);
      const model = models[i % models.length];
      const failed = i % 50 === 0;
      insert.run(ts, `req_${i}`, `key_${i % 200}`, i % 7 === 0 ? 'v2' : 'chat.completions', model, model.split('-')[0], `${model.split('-')[0]}/${model}`, 100 + (i % 400), 50 + (i % 300), 0.0001 * (i % 17), 200 + (i % 900), 80 + (i % 200), failed ? 'error' : 'ok', failed ? 502 : 200, failed ? 'upstream_error' : null);
    }
  })();
  db.close();
}
console.log(`seeded ${ROWS.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const paths = {
  overview: '/admin/overview?hours=24',
  usage: `/admin/usage/series?bucket=day&from=${Math.floor(now / DAY) * DAY - 6 * DAY}&to=${Math.floor(now / DAY) * DAY + DAY}`,
  'usage by model': `/admin/usage/series?bucket=day&group_by=model&from=${Math.floor(now / DAY) * DAY - 6 * DAY}&to=${Math.floor(now / DAY) * DAY + DAY}`,
  'usage 30d, New York': `/admin/usage/series?bucket=day&tz=America/New_York&group_by=model&subgroup_by=provider&from=${now - 30 * DAY}&to=${now}`,
  'request log': '/admin/requests?limit=50',
  'request log, filtered': '/admin/requests?limit=50&model=gpt-4o&status=error',
};

async function timeViews(label: string): Promise<void> {
  for (const round of ['cold', 'warm']) {
    for (const [name, p] of Object.entries(paths)) {
      const t = performance.now();
      const res = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      await res.arrayBuffer();
      console.log(`${label.padEnd(7)} ${round.padEnd(5)} ${name.padEnd(22)} ${res.status} ${(performance.now() - t).toFixed(0).padStart(5)} ms`);
    }
  }
}

server = await startServer({ dataDir, env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0' } });
await timeViews('raw');
await server.stop();

// The rollup's first run starts a second after start-up; /health is asked every 20 ms meanwhile.
server = await startServer({ dataDir, env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '3600000' } });
const rollupStarted = performance.now();
let slowestHealth = 0;
const target = Math.floor((Date.now() - 10 * 60_000) / 3_600_000) * 3_600_000;
for (;;) {
  const t = performance.now();
  await (await fetch(`${server.url}/health`)).arrayBuffer();
  slowestHealth = Math.max(slowestHealth, performance.now() - t);
  const [meta] = await server.query("SELECT value FROM opensq_meta WHERE name = 'usage_rolled_until'");
  if (Number(meta.value) >= target) break;
  await new Promise((r) => setTimeout(r, 20));
}
const hourly = await server.query('SELECT count(*) AS n FROM usage_hourly');
console.log(`rolled the backlog up into ${Number(hourly[0].n).toLocaleString('en-US')} hourly rows in ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s (from start-up); slowest /health meanwhile ${slowestHealth.toFixed(0)} ms`);
await server.stop();

server = await startServer({ dataDir, env });
await timeViews('rolled');
await server.stop();
rmSync(dataDir, { recursive: true, force: true });
await backend.drop();
