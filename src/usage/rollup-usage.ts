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

const ROLLUP = `INSERT INTO usage_hourly (hour, key_id, user_id, model, provider, endpoint, requests, errors, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, cost, latency_ms_sum)
  SELECT ts / ${HOUR_MS}, key_id, user_id, model, provider, endpoint, count(*), sum(case when status = 'ok' then 0 else 1 end),
    sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), sum(cache_write_tokens), sum(cost), sum(latency_ms)
  FROM usage WHERE ts >= $1 AND ts < $2
  GROUP BY ts / ${HOUR_MS}, key_id, user_id, model, provider, endpoint`;
const ADVANCE = `UPDATE opensq_meta SET value = $1 WHERE name = '${WATERMARK}' AND value = $2`;

export interface RollupResult {
  /** Hourly rows written by this run. */
  rows: number;
  rolledUntil: number;
  pruned: number;
}

/** Raw rows per rollup transaction, about: a backlog is rolled up in steps, yielding between them. */
const CHUNK_ROWS = 20_000;
/** Raw rows per prune statement. */
const PRUNE_BATCH = 10_000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Rolls finished hours of raw usage rows up into hourly totals, then prunes raw rows older than the
 * retention (only ever rows already rolled up). A backlog (the first run on a big ledger, or after
 * downtime) goes in steps of about CHUNK_ROWS rows, whole hours each, with the event loop free
 * between steps, so requests keep being served while it runs. Safe to run from many instances at
 * once: the watermark advances by compare-and-set inside the same transaction as each step, so an
 * hour is counted once.
 */
export async function rollupUsage(database: Database, options: { retentionDays: number; now?: number }): Promise<RollupResult> {
  const now = options.now ?? Date.now();
  const until = Math.floor((now - SETTLE_MS) / HOUR_MS) * HOUR_MS;
  let from = await readRolledUntil(database.db);
  let rows = 0;
  while (from < until) {
    const end = await stepEnd(database, from, until);
    const written = await rollupSpan(database, from, end);
    // Another instance rolled this span up first; it carries on from there.
    if (written === undefined) break;
    rows += written;
    from = end;
    await yieldToEventLoop();
  }
  const rolledUntil = await readRolledUntil(database.db);
  const pruneBefore = Math.min(rolledUntil, now - options.retentionDays * DAY_MS);
  let pruned = 0;
  if (pruneBefore > 0) {
    for (;;) {
      const batch = await pruneBatch(database, pruneBefore);
      pruned += batch;
      if (batch < PRUNE_BATCH) break;
      await yieldToEventLoop();
    }
  }
  return { rows, rolledUntil, pruned };
}

/** Where a step from `from` ends: the end of the hour holding the CHUNK_ROWS-th row after it, or `until`. */
async function stepEnd(database: Database, from: number, until: number): Promise<number> {
  const row = await database.db
    .selectFrom('usage')
    .select('ts')
    .where('ts', '>=', from)
    .where('ts', '<', until)
    .orderBy('ts')
    .limit(1)
    .offset(CHUNK_ROWS)
    .executeTakeFirst();
  return row ? Math.min(until, Math.floor(Number(row.ts) / HOUR_MS) * HOUR_MS + HOUR_MS) : until;
}

/** Rolls up [from, end) and moves the watermark there in one transaction; undefined if it had moved. */
async function rollupSpan(database: Database, from: number, end: number): Promise<number | undefined> {
  const sqlite = database.sqlite;
  if (sqlite) {
    // Synchronous and immediate, so no other write can slip into the transaction.
    const run = sqlite.transaction(() => {
      const written = sqlite.prepare(ROLLUP.replace('$1', '?').replace('$2', '?')).run(from, end).changes;
      if (sqlite.prepare(ADVANCE.replace('$1', '?').replace('$2', '?')).run(String(end), String(from)).changes !== 1) throw new LostRace();
      return written;
    });
    try {
      return run.immediate();
    } catch (error) {
      if (error instanceof LostRace) return undefined;
      throw error;
    }
  }
  return database.db
    .transaction()
    .execute(async (trx) => {
      const written = Number((await sql.raw(ROLLUP.replace('$1', String(from)).replace('$2', String(end))).execute(trx)).numAffectedRows ?? 0);
      const moved = await sql.raw(ADVANCE.replace('$1', `'${end}'`).replace('$2', `'${from}'`)).execute(trx);
      // Another instance rolled these hours up first: undo ours.
      if (moved.numAffectedRows !== 1n) throw new LostRace();
      return written;
    })
    .catch((error: unknown) => {
      if (error instanceof LostRace) return undefined;
      throw error;
    });
}

/** Deletes up to PRUNE_BATCH raw rows older than `before`; resolves to how many. */
async function pruneBatch(database: Database, before: number): Promise<number> {
  const statement = `DELETE FROM usage WHERE id IN (SELECT id FROM usage WHERE ts < $1 LIMIT ${PRUNE_BATCH})`;
  if (database.sqlite) return database.sqlite.prepare(statement.replace('$1', '?')).run(before).changes;
  return Number((await sql.raw(statement.replace('$1', String(before))).execute(database.db)).numAffectedRows ?? 0);
}

class LostRace extends Error {}
