import { sql } from 'kysely';
import type { Database } from '../storage/database.js';

/**
 * Credit balances held in the database, so every instance sees one balance. A request reserves the
 * most it can cost before it is sent, in one atomic step: as much of `wanted` as the balance holds,
 * and nothing (a refusal) when the balance is below `least`. What is reserved caps the request
 * (its answer is cut to fit), so the real cost settled with the usage row
 * (UsageLedger.adjustCredits) never takes a balance below zero, however many requests run at once.
 */
export class CreditAccounts {
  private readonly reserveNow: ((keyId: string, wanted: number, least: number) => number | undefined) | undefined;

  constructor(private readonly database: Database) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const balance = sqlite.prepare<[string], { credits: number | null }>('SELECT credits FROM api_keys WHERE id = ?');
      const take = sqlite.prepare('UPDATE api_keys SET credits = credits - ? WHERE id = ?');
      const reserve = sqlite.transaction((keyId: string, wanted: number, least: number): number | undefined => {
        const credits = balance.get(keyId)?.credits;
        if (credits == null || credits <= 0 || credits < least) return undefined;
        const amount = Math.min(wanted, credits);
        take.run(amount, keyId);
        return amount;
      });
      // IMMEDIATE: the read and the write are one step for every process on the file (--workers).
      this.reserveNow = (keyId, wanted, least) => reserve.immediate(keyId, wanted, least);
    }
  }

  /** Takes up to `wanted` from the balance; undefined (nothing taken) when it holds less than `least` or nothing. */
  async reserve(keyId: string, wanted: number, least: number): Promise<number | undefined> {
    if (this.reserveNow) return this.reserveNow(keyId, wanted, least);
    const result = await sql<{ reserved: number }>`
      WITH old AS (SELECT credits FROM api_keys WHERE id = ${keyId} FOR UPDATE)
      UPDATE api_keys SET credits = api_keys.credits - LEAST(old.credits, ${wanted}::float8)
      FROM old
      WHERE api_keys.id = ${keyId} AND old.credits > 0 AND old.credits >= ${least}::float8
      RETURNING LEAST(old.credits, ${wanted}::float8) AS reserved`.execute(this.database.db);
    const reserved = result.rows[0]?.reserved;
    return reserved === undefined ? undefined : Number(reserved);
  }
}
