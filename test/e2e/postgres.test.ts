/**
 * The same server on Postgres (DATABASE_URL): the migrations run, the public key works, keys are
 * looked up by hash, and the ledger is written. Uses this machine's Postgres (127.0.0.1:5432,
 * database `test`) and a fresh database per run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsPostgres, POSTGRES_ADMIN_URL as ADMIN_URL } from '../support/services.js';

const dbName = `opensq_test_${process.pid}_${Date.now()}`;
const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

let upstream: FakeOpenAI;
let server: ServerProcess;
let admin: pg.Client;

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('on Postgres', { skip: needsPostgres }, () => {
  before(async () => {
    admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    upstream = await startFakeOpenAI();
    server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, DATABASE_URL: dbUrl } });
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin?.end();
  });

  it('serves the seed example and writes its usage row', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say 5 short facts about AI.' }] });
    assert.equal(completion.choices[0].message.content, 'Echo: Say 5 short facts about AI.');
    const rows = await query<{ model: string; status: string; prompt_tokens: number; key_id: string }>('SELECT model, status, prompt_tokens, key_id FROM usage');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0], { model: 'gpt-4o-mini', status: 'ok', prompt_tokens: completion.usage!.prompt_tokens, key_id: 'key_public' });
  });

  it('stores keys hashed: a key inserted by hash authenticates, its user id appears in API2.0 answers', async () => {
    const secret = 'sq-postgres-test-key';
    await query("INSERT INTO users (id, name, created_at) VALUES (41, 'pg user', 0)");
    await query('INSERT INTO api_keys (id, user_id, name, key_hash, prefix, tier, created_at) VALUES ($1, 41, $2, $3, $4, 1, 0)', [
      'key_pg',
      'pg key',
      createHash('sha256').update(secret).digest('hex'),
      secret.slice(0, 8),
    ]);
    const res = await http(`${server.url}/ai/v2`, { json: { model: 'gpt-4o-mini', request: { messages: [{ role: 'user', content: 'hi' }] } }, headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user, 41);
    const stored = await query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    assert.ok(stored.every((row) => /^[0-9a-f]{64}$/.test(row.key_hash)), 'only hashes are stored');
    assert.equal((await http(`${server.url}/ai/models`, { headers: { Authorization: 'Bearer sq-other' } })).status, 401);
  });

  it('a second instance on the same database starts (migrations are idempotent)', async () => {
    const second = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, DATABASE_URL: dbUrl } });
    try {
      assert.equal((await http(`${second.url}/ai/models`)).status, 200);
    } finally {
      await second.stop();
    }
  });
});
