import type { Logger } from 'pino';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

const DAY_MS = 86_400_000;

/** One stored answer, its JSON read back. */
export interface StoredResponse {
  response: Record<string, unknown> & { id: string; output: Array<Record<string, unknown>> };
  input: Array<Record<string, unknown>>;
  conversation: Array<Record<string, unknown>>;
}

export interface ResponseOwner {
  userId: number;
  keyId: string;
}

interface Saved {
  owner: ResponseOwner;
  stored: StoredResponse;
  createdAt: number;
}

/**
 * The Responses API answers kept with `store` (OpenAI's default), each visible to its user only and
 * for OPENSQ_RESPONSES_RETENTION_DAYS. Saves are written after the answer, off its path: on SQLite
 * those of one event-loop turn in one transaction, on Postgres one by one in the background. A
 * read waits for the writes before it, so a client's next request (`previous_response_id`,
 * `item_reference`) finds what it was just given.
 */
export class ResponseStore {
  private readonly pending = new Map<string, Promise<void>>();
  private queued: Saved[] = [];
  private flushing: Promise<void> | undefined;
  /** SQLite's inserts of a batch, prepared once, in one transaction. */
  private readonly insertBatch: ((rows: Schema['responses'][]) => void) | undefined;

  constructor(
    private readonly database: Database,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const insert = sqlite.prepare(
        'INSERT INTO responses (id, user_id, key_id, created_at, response, input, conversation) VALUES (@id, @user_id, @key_id, @created_at, @response, @input, @conversation) ON CONFLICT (id) DO NOTHING',
      );
      this.insertBatch = sqlite.transaction((rows: Schema['responses'][]) => {
        for (const row of rows) insert.run(row);
      });
    }
  }

  save(owner: ResponseOwner, stored: StoredResponse): void {
    const saved: Saved = { owner, stored, createdAt: Date.now() };
    if (!this.insertBatch) {
      const id = stored.response.id;
      const write = this.database.db
        .insertInto('responses')
        .values(row(saved))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
        .then(
          () => undefined,
          (error: unknown) => this.log.error({ err: error, responseId: id }, 'could not store a response'),
        )
        .finally(() => this.pending.delete(id));
      this.pending.set(id, write);
      return;
    }
    this.queued.push(saved);
    this.flushing ??= new Promise((resolve) =>
      setImmediate(() => {
        const batch = this.queued;
        this.queued = [];
        this.flushing = undefined;
        try {
          this.insertBatch!(batch.map(row));
        } catch (error) {
          this.log.error({ err: error, responses: batch.length }, 'could not store responses');
        }
        resolve();
      }),
    );
  }

  /** The stored answer with this id, if it is the user's and not past its retention. */
  async get(userId: number, id: string): Promise<StoredResponse | undefined> {
    await this.flushing;
    await this.pending.get(id);
    const row = await this.database.db
      .selectFrom('responses')
      .select(['response', 'input', 'conversation'])
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('created_at', '>=', Date.now() - this.retentionDays * DAY_MS)
      .executeTakeFirst();
    if (!row) return undefined;
    return { response: JSON.parse(row.response), input: JSON.parse(row.input), conversation: JSON.parse(row.conversation) };
  }

  /** Deletes the user's stored answer; false when there was none. */
  async delete(userId: number, id: string): Promise<boolean> {
    await this.flushing;
    await this.pending.get(id);
    const result = await this.database.db.deleteFrom('responses').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes answers past their retention; answers how many went. */
  async prune(now = Date.now()): Promise<number> {
    const result = await this.database.db.deleteFrom('responses').where('created_at', '<', now - this.retentionDays * DAY_MS).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function row(saved: Saved): Schema['responses'] {
  return {
    id: saved.stored.response.id,
    user_id: saved.owner.userId,
    key_id: saved.owner.keyId,
    created_at: saved.createdAt,
    response: JSON.stringify(saved.stored.response),
    input: JSON.stringify(saved.stored.input),
    conversation: JSON.stringify(saved.stored.conversation),
  };
}
