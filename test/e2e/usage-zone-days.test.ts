/**
 * Usage series in a time zone's days: each day bucket starts at the zone's midnight (also on the
 * 25-hour day when New York's clocks go back, and at :30 in India), holds exactly the requests of
 * that calendar day, and the days add up to the range's total, before and after the ledger is
 * rolled up into hourly totals.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADMIN_KEY, admin } from '../support/admin.js';
import { startServer } from '../support/server-process.js';
import { createTestBackend } from '../support/test-backend.js';

const HOUR = 3_600_000;
// New York goes back from EDT to EST at 2026-11-01T06:00Z; its 1 November lasts 25 hours.
const FIRST = Date.parse('2026-10-30T00:00:00Z');
const LAST = Date.parse('2026-11-04T00:00:00Z');

/** Rows every 50 minutes over the days around the change, so every local midnight has rows on both sides. */
function timestamps(): number[] {
  const out: number[] = [];
  for (let ts = FIRST + 7 * 60_000; ts < LAST; ts += 50 * 60_000) out.push(ts);
  return out;
}

/** The calendar date of `ts` in `zone` and whether `ts` is that zone's midnight, by Intl alone. */
function localDate(ts: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ts);
}
function localTime(ts: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}

function expectedDays(zone: string, from: number, to: number): Map<string, number> {
  const days = new Map<string, number>();
  for (const ts of timestamps()) if (ts >= from && ts < to) days.set(localDate(ts, zone), (days.get(localDate(ts, zone)) ?? 0) + 1);
  return days;
}

async function seriesDays(url: string, zone: string, from: number, to: number): Promise<Map<string, number>> {
  const res = await admin(url, 'GET', `/usage/series?key_id=key_zone&bucket=day&tz=${encodeURIComponent(zone)}&from=${from}&to=${to}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.tz, zone);
  const days = new Map<string, number>();
  for (const point of res.json.data) {
    const t = Date.parse(point.t);
    assert.equal(localTime(t, zone), '00:00', `${zone}: bucket ${point.t} starts at the zone's midnight`);
    days.set(localDate(t, zone), point.requests);
  }
  return days;
}

describe('usage series in a time zone', () => {
  it('buckets the days of New York, India and UTC at their own midnights, before and after the rollup', async () => {
    const backend = await createTestBackend();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-zone-'));
    const env = { OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_USAGE_RETENTION_DAYS: '3650', OPENSQ_USAGE_ROLLUP_INTERVAL_MS: '0', ...backend.env };
    try {
      const first = await startServer({ env, dataDir });
      const rows = timestamps().map((ts, i) => `(${ts}, 'req-zone-${i}', 'key_zone', 0, 'chat.completions', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 10, 5, 0, 0.001, 100, NULL, 'ok', 200, NULL, 0)`);
      await first.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${rows.join(', ')}`);
      // Whole local days: New York 30 Oct – 2 Nov (the 1st is 25 hours), India 30 Oct – 2 Nov.
      const ranges = {
        'America/New_York': [Date.parse('2026-10-30T04:00:00Z'), Date.parse('2026-11-03T05:00:00Z')],
        'Asia/Kolkata': [Date.parse('2026-10-29T18:30:00Z'), Date.parse('2026-11-02T18:30:00Z')],
        UTC: [FIRST, LAST],
      } as const;
      const before: Record<string, Map<string, number>> = {};
      for (const [zone, [from, to]] of Object.entries(ranges)) {
        const days = await seriesDays(first.url, zone, from, to);
        assert.deepEqual([...days], [...expectedDays(zone, from, to)], `${zone}: each day holds that calendar day's requests`);
        const total = (await admin(first.url, 'GET', `/usage/summary?key_id=key_zone&from=${from}&to=${to}`)).json.totals.requests;
        assert.equal([...days.values()].reduce((a, b) => a + b, 0), total, `${zone}: the days add up to the range's total`);
        before[zone] = days;
      }
      assert.equal(before['America/New_York'].get('2026-11-01'), expectedDays('America/New_York', 0, Infinity).get('2026-11-01'));
      assert.ok((before['America/New_York'].get('2026-11-01') ?? 0) > (before['America/New_York'].get('2026-10-31') ?? 0), 'the 25-hour day holds more rows');
      const bad = await admin(first.url, 'GET', '/usage/series?tz=Mars/Olympus');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.param, 'tz');
      await first.stop();

      // Roll everything up into hourly totals; whole-hour zones keep their exact days.
      const second = await startServer({ env: { ...env, OPENSQ_USAGE_ROLLUP_INTERVAL_MS: String(HOUR) }, dataDir });
      try {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && Number((await second.query('SELECT count(*) AS n FROM usage_hourly'))[0].n) === 0) await new Promise((r) => setTimeout(r, 200));
        const hourly = await second.query('SELECT sum(requests) AS n FROM usage_hourly');
        assert.equal(Number(hourly[0].n), timestamps().length, 'every row is in the hourly totals');
        for (const zone of ['America/New_York', 'UTC'] as const) {
          const [from, to] = ranges[zone];
          assert.deepEqual([...(await seriesDays(second.url, zone, from, to))], [...before[zone]], `${zone}: the same days from the rollups`);
        }
        const [from, to] = ranges['Asia/Kolkata'];
        const india = await seriesDays(second.url, 'Asia/Kolkata', from, to);
        // An hour rolled up whole counts on the day it starts in: India's days move by their first
        // half hour, and the hour that straddles the range's start brings its own (earlier) day.
        const rolledIndia = new Map<string, number>();
        for (const ts of timestamps()) {
          const hourStart = Math.floor(ts / HOUR) * HOUR;
          if (hourStart < Math.floor(from / HOUR) * HOUR || hourStart >= Math.ceil(to / HOUR) * HOUR) continue;
          rolledIndia.set(localDate(hourStart, 'Asia/Kolkata'), (rolledIndia.get(localDate(hourStart, 'Asia/Kolkata')) ?? 0) + 1);
        }
        assert.deepEqual([...india], [...rolledIndia]);
      } finally {
        await second.stop();
      }
    } finally {
      await backend.drop();
    }
  });
});
