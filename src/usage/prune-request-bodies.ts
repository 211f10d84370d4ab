import type { Database } from '../storage/database.js';

const DAY_MS = 86_400_000;

/** Deletes kept request bodies older than the retention; answers how many went. */
export async function pruneRequestBodies(database: Database, options: { retentionDays: number; now?: number }): Promise<number> {
  const before = (options.now ?? Date.now()) - options.retentionDays * DAY_MS;
  if (database.sqlite) return database.sqlite.prepare('DELETE FROM request_bodies WHERE ts < ?').run(before).changes;
  const result = await database.db.deleteFrom('request_bodies').where('ts', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
