import { sql } from 'kysely';
import type { Database } from '../storage/database.js';

/**
 * Credit balances held in the database, so every instance sees one balance. A request reserves its
 * estimated cost before it is sent, only while the balance is above zero; the difference to its
 * real cost is settled with its usage row (UsageLedger.adjustCredits). Since a reservation is one
 * atomic `UPDATE ... WHERE credits > 0`, the balance can fall below zero only through the last
 * request admitted while it was positive: by at most that request's cost.
 */
export class CreditAccounts {
  private readonly reserveNow: ((keyId: string, amount: number) => boolean) | undefined;

  constructor(private readonly database: Database) {
    const sqlite = database.sqlite;
    if (sqlite) {
      const reserve = sqlite.prepare('UPDATE api_keys SET credits = credits - ? WHERE id = ? AND credits > 0');
      this.reserveNow = (keyId, amount) => reserve.run(amount, keyId).changes === 1;
    }
  }

  /** Takes `amount` from the balance if it is above zero; false when the key is out of credit. */
  reserve(keyId: string, amount: number): boolean | Promise<boolean> {
    if (this.reserveNow) return this.reserveNow(keyId, amount);
    return this.database.db
      .updateTable('api_keys')
      .set({ credits: sql<number>`credits - ${amount}` })
      .where('id', '=', keyId)
      .where('credits', '>', 0)
      .executeTakeFirst()
      .then((result) => result.numUpdatedRows === 1n);
  }
}
