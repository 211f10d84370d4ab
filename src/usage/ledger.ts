import type { Database } from '../storage/database.js';
import type { UsageTable } from '../storage/schema.js';

export type UsageRow = Omit<UsageTable, 'id'>;

const COLUMNS = [
  'ts', 'request_id', 'key_id', 'user_id', 'endpoint', 'model', 'provider', 'deployment', 'prompt_tokens',
  'completion_tokens', 'cached_tokens', 'cost', 'latency_ms', 'ttft_ms', 'status', 'http_status', 'error_code', 'stream',
] as const;

/**
 * Writes one usage row per request before its response ends, so a completed request's row
 * survives a crash. On SQLite the insert is a synchronous prepared statement (tens of
 * microseconds); on Postgres it is awaited.
 */
export class UsageLedger {
  private readonly insertSqlite;

  constructor(private readonly database: Database) {
    this.insertSqlite = database.sqlite?.prepare(
      `INSERT INTO usage (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
  }

  record(row: UsageRow): Promise<void> | void {
    if (this.insertSqlite) {
      this.insertSqlite.run(row);
      return;
    }
    return this.database.db.insertInto('usage').values(row).execute().then(() => undefined);
  }
}
