import type { Selectable } from 'kysely';
import type { Database } from '../storage/database.js';
import type { UsageTable } from '../storage/schema.js';

/** Rows of SQLite's ledger read per step of a scan: a few milliseconds, so other requests run between steps. */
export const SCAN_STEP_ROWS = 10_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The newest usage row whose `column` is `value`. On Postgres an index finds it (0014). SQLite's
 * ledger has none: request and upstream ids are random, so an index on them dirties a random page
 * per row, and every commit writes those pages to the WAL (on a 500k-row ledger an insert cost
 * 6.7× the CPU, most of it in the kernel). It is scanned instead, newest rows first (the ones
 * looked up most) and by ranges of row ids, yielding between ranges, so a lookup never holds the
 * event loop, and with it every request of the process, for more than one step.
 */
export async function findUsageRow(database: Database, column: 'request_id' | 'upstream_id', value: string): Promise<Selectable<UsageTable> | undefined> {
  const { db } = database;
  if (database.kind === 'postgres') return db.selectFrom('usage').selectAll().where(column, '=', value).orderBy('id', 'desc').limit(1).executeTakeFirst();
  const newest = await db.selectFrom('usage').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  for (let high = Number(newest?.id ?? 0); high > 0; high -= SCAN_STEP_ROWS) {
    const row = await db
      .selectFrom('usage')
      .selectAll()
      .where('id', '<=', high)
      .where('id', '>', high - SCAN_STEP_ROWS)
      .where(column, '=', value)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row) return row;
    await nextTurn();
  }
  return undefined;
}
