import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestBackend, ON_POSTGRES, type TestBackend } from '../../test/support/test-backend.js';
import { type Database, openDatabase } from '../storage/database.js';
import { UsageLedger } from '../usage/ledger.js';
import { CreditAccounts } from './credit-accounts.js';
import type { ReservationOwner } from './reservation-owner.js';

/** A holder whose liveness the test decides. */
function owner(id: string, dead: Set<string> = new Set()): ReservationOwner {
  return { id, dead: (owners) => owners.filter((o) => dead.has(o)) };
}

describe(`CreditAccounts (${ON_POSTGRES ? 'Postgres' : 'SQLite'})`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-credits-'));
  let backend: TestBackend;
  const open: Database[] = [];
  /** Another connection (SQLite handle, Postgres pool) on the same database, as another process has. */
  const connect = async () => {
    const database = await openDatabase({ dataDir: dir, databaseUrl: backend.env.DATABASE_URL });
    open.push(database);
    return database;
  };
  let keyId = 0;
  const newKey = async (database: Database, credits: number) => {
    const id = `key_credit_${++keyId}`;
    await database.db.insertInto('api_keys').values({ id, user_id: 0, name: id, key_hash: id, prefix: id, tier: 0, credits, created_at: 0 }).execute();
    return id;
  };
  const balance = async (database: Database, id: string) => Number((await database.db.selectFrom('api_keys').select('credits').where('id', '=', id).executeTakeFirstOrThrow()).credits);
  const openRows = async (database: Database, id: string) => (await database.db.selectFrom('credit_reservations').select('id').where('key_id', '=', id).execute()).length;

  before(async () => {
    backend = await createTestBackend();
  });
  after(async () => {
    for (const database of open) await database.close();
    await backend.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a reservation is one row, deleted by its settlement, which bills the cost', async () => {
    const database = await connect();
    const credits = new CreditAccounts(database, owner('live'));
    const ledger = new UsageLedger(database);
    const id = await newKey(database, 1);
    const held = await credits.reserve({ keyId: id, wanted: 0.25, least: 0.01, expiresAt: Date.now() + 60_000 });
    assert.equal(held?.amount, 0.25);
    assert.equal(await balance(database, id), 0.75);
    assert.equal(await openRows(database, id), 1);
    await ledger.settleCredits({ keyId: id, reservationId: held!.id, reserved: held!.amount, cost: 0.125 });
    assert.equal(await balance(database, id), 0.875);
    assert.equal(await openRows(database, id), 0);
    assert.equal(await credits.giveBackAbandoned(Date.now() + 86_400_000), 0, 'nothing left to sweep');
    assert.equal(await balance(database, id), 0.875);
  });

  it('a request that settles after the sweep gave its reservation back is billed its cost once', async () => {
    const database = await connect();
    const credits = new CreditAccounts(database, owner('slow'));
    const ledger = new UsageLedger(database);
    const id = await newKey(database, 1);
    const held = (await credits.reserve({ keyId: id, wanted: 0.5, least: 0.01, expiresAt: Date.now() + 1000 }))!;
    assert.equal(await credits.giveBackAbandoned(Date.now() + 2000), 1, 'the expired reservation');
    assert.equal(await balance(database, id), 1);
    await ledger.settleCredits({ keyId: id, reservationId: held.id, reserved: held.amount, cost: 0.25 });
    assert.equal(await balance(database, id), 0.75);
  });

  it('several processes sweeping at once give each dead holder reservation back exactly once', async () => {
    const writer = await connect();
    const id = await newKey(writer, 100);
    const dying = new CreditAccounts(writer, owner('dying'));
    const live = new CreditAccounts(writer, owner('live-2'));
    for (let i = 0; i < 50; i++) await dying.reserve({ keyId: id, wanted: 1, least: 0.01, expiresAt: Date.now() + 3_600_000 });
    await live.reserve({ keyId: id, wanted: 2, least: 0.01, expiresAt: Date.now() + 3_600_000 });
    assert.equal(await balance(writer, id), 48);
    const sweepers = await Promise.all(Array.from({ length: 4 }, async () => new CreditAccounts(await connect(), owner('sweeper', new Set(['dying'])))));
    const returned = await Promise.all(sweepers.map((s) => s.giveBackAbandoned(Date.now())));
    assert.equal(returned.reduce((a, b) => a + b, 0), 50, `returned per sweeper: ${returned.join(', ')}`);
    assert.equal(await balance(writer, id), 98, 'the live holder keeps its 2');
    assert.equal(await openRows(writer, id), 1);
  });

  it('a refused reservation leaves no row; nothing reserved (a free request) leaves none either', async () => {
    const database = await connect();
    const credits = new CreditAccounts(database, owner('live-3'));
    const id = await newKey(database, 0.001);
    assert.equal(await credits.reserve({ keyId: id, wanted: 1, least: 0.01, expiresAt: Date.now() + 60_000 }), undefined);
    assert.deepEqual(await credits.reserve({ keyId: id, wanted: 0, least: 0, expiresAt: Date.now() + 60_000 }), { id: undefined, keyId: id, amount: 0 });
    assert.equal(await openRows(database, id), 0);
    assert.equal(await balance(database, id), 0.001);
  });
});
