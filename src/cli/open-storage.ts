import type { Settings } from '../config/settings.js';
import { openDatabase, type Database } from '../storage/database.js';

/**
 * The CLI's commands on keys and usage work on the database directly, with the same code as the
 * admin API: the server need not run, and on Postgres every instance sees the change (their key
 * caches within seconds).
 */
export async function withDatabase<T>(settings: Settings, run: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}
