import type { Database } from '../storage/database.js';
import type { UsageTable } from '../storage/schema.js';

export type UsageRow = Omit<UsageTable, 'id'>;

const COLUMNS = [
  'ts', 'request_id', 'key_id', 'user_id', 'endpoint', 'model', 'provider', 'deployment', 'prompt_tokens',
  'completion_tokens', 'cached_tokens', 'cost', 'latency_ms', 'ttft_ms', 'status', 'http_status', 'error_code', 'stream',
] as const;

/**
 * Writes one usage row per request before its response ends, so a completed request's row
 * survives a crash. Rows arriving in the same turn of the event loop are committed together
 * (group commit): under load one transaction carries many rows, and a lone request waits only
 * for the next turn. A failed batch rejects every request waiting on it.
 */
export class UsageLedger {
  private pending: UsageRow[] = [];
  private batch: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly writeRows: (rows: UsageRow[]) => void | Promise<unknown>;

  constructor(database: Database) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const insert = sqlite.prepare(`INSERT INTO usage (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
      const insertAll = sqlite.transaction((rows: UsageRow[]) => {
        for (const row of rows) insert.run(row);
      });
      this.writeRows = (rows) => insertAll(rows);
    } else {
      this.writeRows = (rows) => database.db.insertInto('usage').values(rows).execute();
    }
  }

  /** Resolves once the row is committed. */
  record(row: UsageRow): Promise<void> {
    this.pending.push(row);
    this.batch ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        // Batches commit one after another, so rows keep their order and Postgres sees one writer.
        const done = this.flushing.then(() => this.flush());
        this.flushing = done.catch(() => undefined);
        done.then(resolve, reject);
      });
    });
    return this.batch;
  }

  private async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    this.batch = undefined;
    if (rows.length > 0) await this.writeRows(rows);
  }
}
