import { sql } from 'kysely';
import type { Logger } from 'pino';
import { ApiError } from '../core/errors.js';
import { responseIdOfItem } from '../schema/responses-items.js';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

const DAY_MS = 86_400_000;
/** The most stored responses one conversation is rebuilt from, and their most JSON text: beyond, a continuation is a 400. */
export const MAX_CHAIN_TURNS = 1000;
export const MAX_CHAIN_CHARS = 32 * 1024 * 1024;
/**
 * The most items a continuation's conversation is rebuilt to: far past a real one (a few thousand),
 * and each item is work on the event loop; 32 MiB of tiny ones held it for a second.
 */
export const MAX_CHAIN_ITEMS = 50_000;

/** One stored answer, its JSON read back: the response, and its own input items only. */
export interface StoredResponse {
  response: Record<string, unknown> & { id: string; output: Array<Record<string, unknown>> };
  input: Array<Record<string, unknown>>;
  /** The stored response this one continues (`previous_response_id`). */
  previousId: string | null;
}

interface ChainRow {
  id: string;
  previous_id: string | null;
  response: string;
  input: string;
  conversation: string;
}

export interface ResponseOwner {
  userId: number;
  keyId: string;
}

interface Saved {
  owner: ResponseOwner;
  stored: StoredResponse;
  /** The response's JSON text, when the answer already made it. */
  responseJson: string | undefined;
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
  /** SQLite's inserts of a batch (responses, then their upstream item ids), prepared once, in one transaction. */
  private readonly insertBatch: ((rows: Schema['responses'][], items: Schema['response_items'][]) => void) | undefined;

  constructor(
    private readonly database: Database,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const insert = sqlite.prepare(
        'INSERT INTO responses (id, user_id, key_id, created_at, response, input, conversation, previous_id) VALUES (@id, @user_id, @key_id, @created_at, @response, @input, @conversation, @previous_id) ON CONFLICT (id) DO NOTHING',
      );
      const insertItem = sqlite.prepare('INSERT INTO response_items (item_id, response_id) VALUES (@item_id, @response_id) ON CONFLICT (item_id) DO NOTHING');
      this.insertBatch = sqlite.transaction((rows: Schema['responses'][], items: Schema['response_items'][]) => {
        for (const row of rows) insert.run(row);
        for (const item of items) insertItem.run(item);
      });
    }
  }

  /** Stores an answer (`responseJson`: its response's JSON text, if already made). */
  save(owner: ResponseOwner, stored: StoredResponse, responseJson?: string): void {
    const saved: Saved = { owner, stored, responseJson, createdAt: Date.now() };
    if (!this.insertBatch) {
      const id = stored.response.id;
      const items = foreignItems(saved);
      const write = this.database.db
        .insertInto('responses')
        .values(row(saved))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
        .then(() => (items.length > 0 ? this.database.db.insertInto('response_items').values(items).onConflict((oc) => oc.column('item_id').doNothing()).execute() : undefined))
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
          this.insertBatch!(batch.map(row), batch.flatMap(foreignItems));
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
      .select(['response', 'input', 'previous_id'])
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('created_at', '>=', this.keptSince())
      .executeTakeFirst();
    return row ? storedFrom(row) : undefined;
  }

  /**
   * The conversation a continuation of the user's stored response starts from: each response of its
   * chain (walked through `previous_id` in one recursive query, oldest first) gives its input items
   * and its output. Undefined when the response is not the user's or has expired; a 400 when an
   * earlier response of the chain is gone or the chain passes MAX_CHAIN_TURNS, MAX_CHAIN_CHARS or
   * MAX_CHAIN_ITEMS.
   */
  async conversation(userId: number, id: string): Promise<Array<Record<string, unknown>> | undefined> {
    await this.flushing;
    await this.pending.get(id);
    const since = this.keptSince();
    const { rows } = await sql<ChainRow>`
      WITH RECURSIVE chain (id, previous_id, response, input, conversation, depth) AS (
        SELECT id, previous_id, response, input, conversation, 1 FROM responses WHERE id = ${id} AND user_id = ${userId} AND created_at >= ${since}
        UNION ALL
        SELECT r.id, r.previous_id, r.response, r.input, r.conversation, chain.depth + 1 FROM responses r JOIN chain ON r.id = chain.previous_id
        WHERE r.user_id = ${userId} AND r.created_at >= ${since} AND chain.depth <= ${MAX_CHAIN_TURNS}
      )
      SELECT id, previous_id, response, input, conversation FROM chain ORDER BY depth DESC`.execute(this.database.db);
    if (rows.length === 0) return undefined;
    if (rows.length > MAX_CHAIN_TURNS) throw chainTooLong(`more than ${MAX_CHAIN_TURNS} responses`);
    let chars = 0;
    for (const row of rows) chars += row.response.length + row.input.length + row.conversation.length;
    if (chars > MAX_CHAIN_CHARS) throw chainTooLong(`more than ${MAX_CHAIN_CHARS / 1024 / 1024} MiB of stored items`);
    const oldest = rows[0];
    if (oldest.previous_id !== null) {
      throw new ApiError('invalid_request', `The conversation of this response cannot be rebuilt: an earlier response in it (${JSON.stringify(oldest.previous_id.slice(0, 80))}) was deleted or has expired.`, { param: 'previous_response_id' });
    }
    const items: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      // A row stored before the chain was kept holds its whole conversation, output included.
      const whole = JSON.parse(row.conversation) as Array<Record<string, unknown>>;
      if (whole.length > 0) {
        items.length = 0;
        items.push(...whole);
        continue;
      }
      items.push(...(JSON.parse(row.input) as Array<Record<string, unknown>>));
      items.push(...(JSON.parse(row.response) as StoredResponse['response']).output);
      // Only the oldest row can hold a whole conversation (rows from before the chain end a walk): the count only grows.
      if (items.length > MAX_CHAIN_ITEMS) throw chainTooLong(`more than ${MAX_CHAIN_ITEMS} items`);
    }
    return items;
  }

  /**
   * The user's stored responses among `ids`, read for the items a request's `item_reference`s name:
   * one query for which exist and their size, one for their text, so ids that name nothing cost no
   * read each. A 400 past the bounds a continuation's conversation has (MAX_CHAIN_TURNS responses,
   * MAX_CHAIN_CHARS of stored JSON), checked before any text is read.
   */
  async referenced(userId: number, ids: readonly string[]): Promise<StoredResponse[]> {
    if (ids.length === 0) return [];
    await this.flushing;
    await Promise.all(ids.map((id) => this.pending.get(id)));
    const since = this.keptSince();
    const mine = this.database.db.selectFrom('responses').where('user_id', '=', userId).where('created_at', '>=', since).where('id', 'in', [...ids]);
    const sizes = await mine.select(['id', sql<number>`length(response) + length(input)`.as('chars')]).execute();
    if (sizes.length > MAX_CHAIN_TURNS) throw referencesTooMany(`${sizes.length} stored responses, more than ${MAX_CHAIN_TURNS}`);
    let chars = 0;
    for (const row of sizes) chars += Number(row.chars);
    if (chars > MAX_CHAIN_CHARS) throw referencesTooMany(`more than ${MAX_CHAIN_CHARS / 1024 / 1024} MiB of stored items`);
    if (sizes.length === 0) return [];
    const rows = await mine.select(['response', 'input', 'previous_id']).execute();
    return rows.map(storedFrom);
  }

  /** The stored responses that gave these (upstream) output item ids, by item id. */
  async responsesOfItems(itemIds: readonly string[]): Promise<string[]> {
    if (itemIds.length === 0) return [];
    await this.flushing;
    await Promise.all(this.pending.values());
    const rows = await this.database.db.selectFrom('response_items').select('response_id').where('item_id', 'in', [...itemIds]).execute();
    return rows.map((r) => r.response_id);
  }

  /** Deletes the user's stored answer; false when there was none. */
  async delete(userId: number, id: string): Promise<boolean> {
    await this.flushing;
    await this.pending.get(id);
    const result = await this.database.db.deleteFrom('responses').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await this.database.db.deleteFrom('response_items').where('response_id', '=', id).execute();
    return true;
  }

  /** The oldest `created_at` still within the retention. */
  private keptSince(now = Date.now()): number {
    return now - this.retentionDays * DAY_MS;
  }

  /** Deletes answers past their retention, and their item ids; answers how many went. */
  async prune(now = Date.now()): Promise<number> {
    const result = await this.database.db.deleteFrom('responses').where('created_at', '<', this.keptSince(now)).executeTakeFirst();
    const pruned = Number(result.numDeletedRows);
    if (pruned > 0) await this.database.db.deleteFrom('response_items').where('response_id', 'not in', (qb) => qb.selectFrom('responses').select('id')).execute();
    return pruned;
  }
}

function row(saved: Saved): Schema['responses'] {
  return {
    id: saved.stored.response.id,
    user_id: saved.owner.userId,
    key_id: saved.owner.keyId,
    created_at: saved.createdAt,
    response: saved.responseJson ?? JSON.stringify(saved.stored.response),
    input: JSON.stringify(saved.stored.input),
    conversation: '[]',
    previous_id: saved.stored.previousId,
  };
}

/** Output items whose ids are not made here (`responseIdOfItem` cannot find their response): an upstream's, passed through. */
function foreignItems(saved: Saved): Schema['response_items'][] {
  const items: Schema['response_items'][] = [];
  for (const item of saved.stored.response.output) {
    if (typeof item.id === 'string' && responseIdOfItem(item.id) === undefined) items.push({ item_id: item.id, response_id: saved.stored.response.id });
  }
  return items;
}

/** A stored row's JSON read back. */
function storedFrom(row: { response: string; input: string; previous_id: string | null }): StoredResponse {
  return { response: JSON.parse(row.response), input: JSON.parse(row.input), previousId: row.previous_id };
}

function referencesTooMany(what: string): ApiError {
  return new ApiError('invalid_request', `The item_references of 'input' name items of too many stored responses to read here (${what}); send those items themselves as input.`, { param: 'input' });
}

function chainTooLong(what: string): ApiError {
  return new ApiError('invalid_request', `The conversation of previous_response_id is too long to continue here (${what}); start a new one with the items you need as input.`, { param: 'previous_response_id' });
}
