import { sql } from 'kysely';
import type { Database } from '../storage/database.js';
import type { RequestBodiesTable, UsageTable } from '../storage/schema.js';

/** A row to write; `upstream_id` only where an upstream named its answer (model requests). */
export type UsageRow = Omit<UsageTable, 'id' | 'upstream_id' | 'cache_write_tokens' | 'builtin_tool_calls'> & { upstream_id?: string | null; cache_write_tokens?: number; builtin_tool_calls?: number };
export type RequestBodyRow = RequestBodiesTable;

const COLUMNS = [
  'ts', 'request_id', 'key_id', 'user_id', 'endpoint', 'model', 'provider', 'deployment', 'prompt_tokens',
  'completion_tokens', 'cached_tokens', 'cost', 'latency_ms', 'ttft_ms', 'status', 'http_status', 'error_code', 'stream',
  'attempts', 'upstream_id', 'cache_write_tokens', 'builtin_tool_calls',
] as const;

/** A row's values in COLUMNS' order, bound by position: 22 parameters looked up by name cost more than the insert itself. */
function usageValues(r: UsageRow): unknown[] {
  return [
    r.ts, r.request_id, r.key_id, r.user_id, r.endpoint, r.model, r.provider, r.deployment, r.prompt_tokens,
    r.completion_tokens, r.cached_tokens, r.cost, r.latency_ms, r.ttft_ms, r.status, r.http_status, r.error_code, r.stream,
    r.attempts, r.upstream_id, r.cache_write_tokens, r.builtin_tool_calls,
  ];
}

/** A request's credit settlement: its reservation (src/limits/credit-accounts.ts) against what it cost. */
export interface CreditSettlement {
  keyId: string;
  /** The reservation's row; undefined when nothing was reserved. */
  reservationId: number | undefined;
  reserved: number;
  cost: number;
}

type Write = (rows: UsageRow[], bodies: RequestBodyRow[], credits: CreditSettlement[]) => void | Promise<unknown>;

/**
 * What each key's balance moves by: the reservation back, less the cost. A reservation already
 * given back by the sweep (its row gone: `held` says no) returns nothing twice, so its request is
 * still billed, once.
 */
function creditDeltas(credits: CreditSettlement[], held: (s: CreditSettlement) => boolean): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const s of credits) {
    const delta = (s.reservationId === undefined || held(s) ? s.reserved : 0) - s.cost;
    if (delta !== 0) deltas.set(s.keyId, (deltas.get(s.keyId) ?? 0) + delta);
  }
  return deltas;
}

/**
 * Writes one usage row per request before its response ends, so a completed request's row
 * survives a crash, together with its kept request body and its credit settlement. Rows arriving in the same turn
 * of the event loop are committed together (group commit): under load one transaction carries
 * many rows, and a lone request waits only for the next turn. A failed batch rejects every
 * request waiting on it.
 */
export class UsageLedger {
  private pending: UsageRow[] = [];
  private bodies: RequestBodyRow[] = [];
  private credits: CreditSettlement[] = [];
  private batch: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** When the write under way began (performance.now()), or undefined between writes. */
  private writingSince: number | undefined;
  private readonly write: Write;

  constructor(database: Database) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const insert = sqlite.prepare(`INSERT INTO usage (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
      // A request id is random; a clash must not fail the whole batch.
      const insertBody = sqlite.prepare('INSERT INTO request_bodies (request_id, ts, body) VALUES (?, ?, ?) ON CONFLICT (request_id) DO NOTHING');
      // A debit beyond the reservation (an estimate fell short) stops at zero: a balance is never
      // taken below zero, nor below where it already was.
      const credit = sqlite.prepare('UPDATE api_keys SET credits = MAX(credits + ?, MIN(credits, 0)) WHERE id = ? AND credits IS NOT NULL');
      const release = sqlite.prepare('DELETE FROM credit_reservations WHERE id = ?');
      const held = (s: CreditSettlement) => release.run(s.reservationId).changes > 0;
      this.write = sqlite.transaction((rows: UsageRow[], bodies: RequestBodyRow[], credits: CreditSettlement[]) => {
        for (const row of rows) insert.run(usageValues(row));
        for (const body of bodies) insertBody.run(body.request_id, body.ts, body.body);
        if (credits.length > 0) for (const [keyId, delta] of creditDeltas(credits, held)) credit.run(delta, keyId);
      });
    } else {
      this.write = (rows, bodies, credits) =>
        database.db.transaction().execute(async (trx) => {
          // record() gave every row its cache_write_tokens and builtin_tool_calls.
          if (rows.length > 0) await trx.insertInto('usage').values(rows as Array<UsageRow & { cache_write_tokens: number; builtin_tool_calls: number }>).execute();
          if (bodies.length > 0) await trx.insertInto('request_bodies').values(bodies).onConflict((oc) => oc.column('request_id').doNothing()).execute();
          if (credits.length === 0) return;
          const ids = credits.flatMap((s) => (s.reservationId === undefined ? [] : [s.reservationId]));
          const released = ids.length === 0 ? [] : (await sql<{ id: number }>`DELETE FROM credit_reservations WHERE id = ANY(${ids}::bigint[]) RETURNING id`.execute(trx)).rows;
          const gone = new Set(released.map((r) => Number(r.id)));
          // Keys in one order, so two batches (or a sweep) never wait on each other's keys.
          const deltas = [...creditDeltas(credits, (s) => gone.has(s.reservationId!))].sort(([a], [b]) => (a < b ? -1 : 1));
          for (const [keyId, delta] of deltas) {
            await trx.updateTable('api_keys').set({ credits: sql<number>`GREATEST(credits + ${delta}::float8, LEAST(credits, 0))` }).where('id', '=', keyId).where('credits', 'is not', null).execute();
          }
        });
    }
  }

  /** Resolves once the row, and the request's body when given, are committed. */
  record(row: UsageRow, body?: RequestBodyRow): Promise<void> {
    row.upstream_id ??= null;
    row.cache_write_tokens ??= 0;
    row.builtin_tool_calls ??= 0;
    this.pending.push(row);
    if (body) this.bodies.push(body);
    return this.schedule();
  }

  /** Settles a request's credit reservation in the next batch, atomically with its rows. */
  settleCredits(settlement: CreditSettlement): Promise<void> {
    this.credits.push(settlement);
    return this.schedule();
  }

  private schedule(): Promise<void> {
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
    const bodies = this.bodies;
    const credits = this.credits;
    this.pending = [];
    this.bodies = [];
    this.credits = [];
    this.batch = undefined;
    if (rows.length === 0 && credits.length === 0) return;
    this.writingSince = performance.now();
    try {
      await this.write(rows, bodies, credits);
    } finally {
      this.writingSince = undefined;
    }
  }

  /**
   * How long the write under way has taken, in ms (0 between writes). Every response waits for its
   * row, so a write held up (a lock, a slow database) holds up every answer of this process.
   */
  stalledMs(): number {
    return this.writingSince === undefined ? 0 : performance.now() - this.writingSince;
  }
}
