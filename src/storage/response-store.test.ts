import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createTestBackend, ON_POSTGRES, type TestBackend } from '../../test/support/test-backend.js';
import { ApiError } from '../core/errors.js';
import { type Database, openDatabase } from './database.js';
import { MAX_CHAIN_TURNS, ResponseStore, type StoredResponse } from './response-store.js';

const stored = (id: string, items: number): StoredResponse => ({
  response: { id, object: 'response', output: [{ id: `msg_${id}_out`, type: 'message' }] },
  input: Array.from({ length: items }, (_, i) => ({ id: `msg_${id}_in${i}`, type: 'message', role: 'user', content: 'a' })),
  previousId: null,
});

describe(`ResponseStore.referenced (${ON_POSTGRES ? 'Postgres' : 'SQLite'})`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opensq-response-store-'));
  let backend: TestBackend;
  let database: Database;
  let store: ResponseStore;

  before(async () => {
    backend = await createTestBackend();
    database = await openDatabase({ dataDir: dir, databaseUrl: backend.env.DATABASE_URL });
    store = new ResponseStore(database, 30, pino({ level: 'silent' }));
  });
  after(async () => {
    await database?.close();
    await backend?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the user's stored responses among the ids, and nothing for ids that name none or another user's", async () => {
    store.save({ userId: 1, keyId: 'k1' }, stored('resp_a', 2));
    store.save({ userId: 1, keyId: 'k1' }, stored('resp_b', 1));
    store.save({ userId: 2, keyId: 'k2' }, stored('resp_c', 1));
    const found = await store.referenced(1, ['resp_a', 'resp_c', 'resp_missing', 'resp_b']);
    assert.deepEqual(found.map((s) => s.response.id).sort(), ['resp_a', 'resp_b']);
    const a = found.find((s) => s.response.id === 'resp_a')!;
    assert.deepEqual(a.input.map((item) => item.id), ['msg_resp_a_in0', 'msg_resp_a_in1']);
    assert.deepEqual(await store.referenced(1, []), []);
  });

  it(`refuses references into more than ${MAX_CHAIN_TURNS} stored responses with a 400 naming input`, async () => {
    const ids = Array.from({ length: MAX_CHAIN_TURNS + 1 }, (_, i) => `resp_many${i}`);
    for (const id of ids) store.save({ userId: 3, keyId: 'k3' }, stored(id, 1));
    await assert.rejects(store.referenced(3, ids), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'input');
      assert.match(error.message, new RegExp(`${MAX_CHAIN_TURNS + 1} stored responses, more than ${MAX_CHAIN_TURNS}`));
      return true;
    });
    assert.equal((await store.referenced(3, ids.slice(1))).length, MAX_CHAIN_TURNS);
  });
});
