import { sql } from 'kysely';
import type { Database } from '../storage/database.js';
import type { ReservationOwner } from './reservation-owner.js';

/** Credit taken from a key's balance at admission; `id` names its open-reservation row (none for 0). */
export interface Reservation {
  id: number | undefined;
  keyId: string;
  amount: number;
}

export interface ReserveRequest {
  keyId: string;
  /** The request's worst case. */
  wanted: number;
  /** The least a balance must hold to be admitted. */
  least: number;
  /** Unix ms after which the request cannot still be running: the sweep gives the credit back then. */
  expiresAt: number;
}

/**
 * Credit balances held in the database, so every instance sees one balance. A request reserves the
 * most it can cost before it is sent, in one atomic step: as much of `wanted` as the balance holds,
 * and nothing (a refusal) when the balance is below `least`. What is reserved caps the request
 * (its answer is cut to fit), so the real cost settled with the usage row
 * (UsageLedger.settleCredits) never takes a balance below zero, however many requests run at once.
 *
 * The same step records the reservation with its holder (this process) in `credit_reservations`,
 * and the settlement deletes that row: a process that dies mid-request leaves its rows, which
 * `giveBackAbandoned` returns to their balances once their holder is known dead or they expire.
 */
export class CreditAccounts {
  private readonly reserveNow: ((request: ReserveRequest) => Reservation | undefined) | undefined;
  private readonly sweepNow: ((expiredBefore: number, deadOwners: string[]) => number) | undefined;
  private readonly ownersNow: (() => string[]) | undefined;

  constructor(
    private readonly database: Database,
    private readonly owner: ReservationOwner,
  ) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const balance = sqlite.prepare<[string], { credits: number | null }>('SELECT credits FROM api_keys WHERE id = ?');
      const take = sqlite.prepare('UPDATE api_keys SET credits = credits - ? WHERE id = ?');
      const hold = sqlite.prepare('INSERT INTO credit_reservations (id, key_id, amount, owner, expires_at) VALUES (?, ?, ?, ?, ?)');
      const reserve = sqlite.transaction(({ keyId, wanted, least, expiresAt }: ReserveRequest): Reservation | undefined => {
        const credits = balance.get(keyId)?.credits;
        if (credits == null || credits <= 0 || credits < least) return undefined;
        const amount = Math.min(wanted, credits);
        if (amount <= 0) return { id: undefined, keyId, amount: 0 };
        take.run(amount, keyId);
        // 53 random bits: a clash with one of the few open rows, or a reuse, is out of reach.
        const id = Math.floor(Math.random() * 2 ** 53);
        hold.run(id, keyId, amount, owner.id, expiresAt);
        return { id, keyId, amount };
      });
      // IMMEDIATE: the read and the write are one step for every process on the file (--workers).
      this.reserveNow = (request) => reserve.immediate(request);
      const abandon = sqlite.prepare<[number, string], { key_id: string; amount: number }>(
        'DELETE FROM credit_reservations WHERE expires_at < ? OR owner IN (SELECT value FROM json_each(?)) RETURNING key_id, amount',
      );
      const giveBack = sqlite.prepare('UPDATE api_keys SET credits = credits + ? WHERE id = ? AND credits IS NOT NULL');
      const sweep = sqlite.transaction((expiredBefore: number, deadOwners: string[]): number => {
        const rows = abandon.all(expiredBefore, JSON.stringify(deadOwners));
        for (const [keyId, amount] of sumByKey(rows)) giveBack.run(amount, keyId);
        return rows.length;
      });
      this.sweepNow = (expiredBefore, deadOwners) => (sqlite.open ? sweep.immediate(expiredBefore, deadOwners) : 0);
      const owners = sqlite.prepare('SELECT DISTINCT owner FROM credit_reservations').pluck();
      this.ownersNow = () => (sqlite.open ? (owners.all() as string[]) : []);
    }
  }

  /** Takes up to `wanted` from the balance; undefined (nothing taken) when it holds less than `least` or nothing. */
  async reserve(request: ReserveRequest): Promise<Reservation | undefined> {
    if (this.reserveNow) return this.reserveNow(request);
    const { keyId, wanted, least, expiresAt } = request;
    const result = await sql<{ reserved: number; id: number | null }>`
      WITH old AS (SELECT credits FROM api_keys WHERE id = ${keyId} FOR UPDATE),
      taken AS (
        UPDATE api_keys SET credits = api_keys.credits - LEAST(old.credits, ${wanted}::float8)
        FROM old
        WHERE api_keys.id = ${keyId} AND old.credits > 0 AND old.credits >= ${least}::float8
        RETURNING LEAST(old.credits, ${wanted}::float8) AS reserved),
      held AS (
        INSERT INTO credit_reservations (key_id, amount, owner, expires_at)
        SELECT ${keyId}, reserved, ${this.owner.id}, ${expiresAt}::bigint FROM taken WHERE reserved > 0
        RETURNING id)
      SELECT taken.reserved, held.id FROM taken LEFT JOIN held ON true`.execute(this.database.db);
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return { id: row.id === null ? undefined : Number(row.id), keyId, amount: Number(row.reserved) };
  }

  /**
   * Gives back, exactly once however many processes sweep at once, the reservations whose holder
   * is known dead (src/limits/reservation-owner.ts) or that expired before `now`; how many.
   */
  async giveBackAbandoned(now: number): Promise<number> {
    const db = this.database.db;
    const owners = this.ownersNow ? this.ownersNow() : (await sql<{ owner: string }>`SELECT DISTINCT owner FROM credit_reservations`.execute(db)).rows.map((r) => r.owner);
    const dead = this.owner.dead(owners);
    if (this.sweepNow) return this.sweepNow(now, dead);
    return db.transaction().execute(async (trx) => {
      // SKIP LOCKED: a row another sweep (or a settlement) holds is theirs to finish, never waited on.
      const { rows } = await sql<{ key_id: string; amount: number }>`
        DELETE FROM credit_reservations WHERE id IN (
          SELECT id FROM credit_reservations WHERE expires_at < ${now}::bigint OR owner = ANY(${dead}::text[]) FOR UPDATE SKIP LOCKED)
        RETURNING key_id, amount`.execute(trx);
      // Keys in one order, so two transactions never wait on each other's keys.
      for (const [keyId, amount] of [...sumByKey(rows)].sort(([a], [b]) => (a < b ? -1 : 1))) {
        await trx.updateTable('api_keys').set({ credits: sql<number>`credits + ${amount}::float8` }).where('id', '=', keyId).where('credits', 'is not', null).execute();
      }
      return rows.length;
    });
  }
}

function sumByKey(rows: ReadonlyArray<{ key_id: string; amount: number }>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(row.key_id, (sums.get(row.key_id) ?? 0) + Number(row.amount));
  return sums;
}
