/**
 * Cloud metadata and media usage rows on Postgres (DATABASE_URL): the same migration, the owner key
 * stored only as its hash, sizes as numbers. Uses this machine's Postgres and a fresh database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { upload } from '../support/cloud-client.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsEspeak, needsPostgres, POSTGRES_ADMIN_URL as ADMIN_URL } from '../support/services.js';

const dbName = `opensq_cloud_${process.pid}_${Date.now()}`;
const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();

let admin: pg.Client;
let server: ServerProcess;

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('Cloud and media on Postgres', { skip: needsPostgres }, () => {
  before(async () => {
    admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    server = await startServer({ env: { DATABASE_URL: dbUrl } });
  });
  after(async () => {
    await server?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin?.end();
  });

  it('lists uploads with the owner key hashed, serves them, and deletes them', async () => {
    const res = await upload(server.url, 'pg.txt', Buffer.from('in postgres'), 'text/plain');
    assert.equal(res.status, 200);
    const id = res.json.url.split('/').pop();
    const rows = await query<{ id: string; owner_hash: string; name: string; size: string | number }>('SELECT id, owner_hash, name, size FROM cloud_files');
    assert.deepEqual(rows, [{ id, owner_hash: createHash('sha256').update(res.json.owner).digest('hex'), name: 'pg.txt', size: '11' }]);
    const file = await fetch(res.json.url, { headers: { range: 'bytes=3-10' } });
    assert.equal(await file.text(), 'postgres');
    assert.equal((await http(`${server.url}/cloud/delete/${id}`, { headers: { authorization: res.json.owner } })).status, 200);
    assert.deepEqual(await query('SELECT id FROM cloud_files'), []);
  });

  it('speech writes its usage row', { skip: needsEspeak }, async () => {
    const res = await http(`${server.url}/ai/tts`, { json: { model: 'espeak', text: 'Postgres.', lang: 'en' } });
    assert.equal(res.status, 200);
    const rows = await query<{ endpoint: string; model: string; status: string }>("SELECT endpoint, model, status FROM usage WHERE endpoint = 'tts'");
    assert.deepEqual(rows, [{ endpoint: 'tts', model: 'espeak', status: 'ok' }]);
  });
});
