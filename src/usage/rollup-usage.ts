import { type Kysely, sql } from 'kysely';
import type { Database } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { DAY_MS, HOUR_MS } from '../time/zone-time.js';

/** An hour is rolled up only this long after it ended, so rows still being committed at its end are in. */
const SETTLE_MS = 10 * 60_000;
const WATERMARK = 'usage_rolled_until';

/** Up to when (unix ms, a whole UTC hour) raw rows are counted in `usage_hourly`. */
export async function readRolledUntil(db: Kysely<Schema>): Promise<number> {
  const row = await db.selectFrom('opensq_meta').select('value').where('name', '=', WATERMARK).executeTakeFirst();
  return Number(row?.value ?? 0);
}

const ROLLUP = `INSERT INTO usage_hourly (hour, key_id, user_id, model, provider, endpoint, requests, errors, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms_sum)
  SELECT ts / ${HOUR_MS}, key_id, user_id, model, provider, endpoint, count(*), sum(case when status = 'ok' then 0 else 1 end),
    sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), sum(cost), sum(latency_ms)
  FROM usage WHERE ts >= $1 AND ts < $2
  GROUP BY ts / ${HOUR_MS}, key_id, user_id, model, provider, endpoint`;
const ADVANCE = `UPDATE opensq_meta SET value = $1 WHERE name = '${WATERMARK}' AND value = $2`;
const PRUNE = 'DELETE FROM usage WHERE ts < $1';

export interface RollupResult {
  /** Hourly rows written by this run. */
  rows: number;
  rolledUntil: number;
  pruned: number;
}

/**
 * Rolls finished hours of raw usage rows up into hourly totals, then prunes raw rows older than the
 * retention (only ever rows already rolled up). Safe to run from many instances at once: the
 * watermark advances by compare-and-set inside the same transaction as the rollup, so an hour is
 * counted once.
 */
export async function rollupUsage(database: Database, options: { retentionDays: number; now?: number }): Promise<RollupResult> {
  const now = options.now ?? Date.now();
  const from = await readRolledUntil(database.db);
  const until = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
  let advanced = false;
  let rows = 0;
  if (until > from) {
    const sqlite = database.sqlite;
    if (sqlite) {
      // Synchronous, so no other write of this process can slip into the transaction.
      const run = sqlite.transaction(() => {
        rows = sqlite.prepare(ROLLUP.replace('$1', '?').replace('$2', '?')).run(from, until).changes;
        return sqlite.prepare(ADVANCE.replace('$1', '?').replace('$2', '?')).run(String(until), String(from)).changes === 1;
      });
      advanced = run.immediate();
      if (!advanced) throw new Error('unreachable: the watermark moved inside an immediate transaction');
    } else {
      advanced = await database.db
        .transaction()
        .execute(async (trx) => {
          rows = Number((await sql.raw(ROLLUP.replace('$1', String(from)).replace('$2', String(until))).execute(trx)).numAffectedRows ?? 0);
          const moved = await sql.raw(ADVANCE.replace('$1', `'${until}'`).replace('$2', `'${from}'`)).execute(trx);
          // Another instance rolled these hours up first: undo ours.
          if (moved.numAffectedRows !== 1n) throw new LostRace();
          return true;
        })
        .catch((error) => {
          if (error instanceof LostRace) return false;
          throw error;
        });
    }
  }
  const rolledUntil = advanced ? until : await readRolledUntil(database.db);
  const pruneBefore = Math.min(rolledUntil, now - options.retentionDays * DAY_MS);
  let pruned = 0;
  if (pruneBefore > 0) {
    if (database.sqlite) pruned = database.sqlite.prepare(PRUNE.replace('$1', '?')).run(pruneBefore).changes;
    else pruned = Number((await sql.raw(PRUNE.replace('$1', String(pruneBefore))).execute(database.db)).numAffectedRows ?? 0);
  }
  return { rows: advanced ? rows : 0, rolledUntil, pruned };
}

class LostRace extends Error {}
