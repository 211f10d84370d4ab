import type { Logger } from 'pino';
import type { Database } from './database.js';

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

/**
 * The Responses API answers kept with `store` (OpenAI's default), each visible to its user only and
 * for OPENSQ_RESPONSES_RETENTION_DAYS. A save is written at once on SQLite; on Postgres in the
 * background, and a read of the same id waits for it, so a client's next request
 * (`previous_response_id`, `item_reference`) finds it.
 */
export class ResponseStore {
  private readonly pending = new Map<string, Promise<void>>();
  /** SQLite's insert, prepared once and run at once (no query building per answer). */
  private readonly insertNow: ((row: Record<string, unknown>) => unknown) | undefined;

  constructor(
    private readonly database: Database,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {
    const statement = database.sqlite?.prepare(
      'INSERT INTO responses (id, user_id, key_id, created_at, response, input, conversation) VALUES (@id, @user_id, @key_id, @created_at, @response, @input, @conversation) ON CONFLICT (id) DO NOTHING',
    );
    this.insertNow = statement && ((row) => statement.run(row));
  }

  save(owner: ResponseOwner, stored: StoredResponse): void {
    const id = stored.response.id;
    const row = {
      id,
      user_id: owner.userId,
      key_id: owner.keyId,
      created_at: Date.now(),
      response: JSON.stringify(stored.response),
      input: JSON.stringify(stored.input),
      conversation: JSON.stringify(stored.conversation),
    };
    if (this.insertNow) {
      try {
        this.insertNow(row);
      } catch (error) {
        this.log.error({ err: error, responseId: id }, 'could not store a response');
      }
      return;
    }
    const write = this.database.db
      .insertInto('responses')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error, responseId: id }, 'could not store a response'),
      )
      .finally(() => this.pending.delete(id));
    this.pending.set(id, write);
  }

  /** The stored answer with this id, if it is the user's and not past its retention. */
  async get(userId: number, id: string): Promise<StoredResponse | undefined> {
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
