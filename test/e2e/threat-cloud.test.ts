/**
 * Threats to the Cloud store from clients without a key: uploading when the operator switched
 * anonymous access off, dodging the per-address upload limit (many IPv6 addresses of one /64, many
 * instances, many workers), filling the disk (a total quota, an expiry), and growing the database
 * with usage rows of requests that did nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { streamedUpload, upload } from '../support/cloud-client.js';
import { http } from '../support/http.js';
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3TestServer, startS3TestServer } from '../support/s3-test-server.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsRedis, REDIS_URL } from '../support/services.js';

const MIB = 1024 * 1024;
const idOf = (url: string): string => url.split('/').pop()!;
const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

async function count(server: ServerProcess, sql: string): Promise<number> {
  return Number((await server.query(sql))[0].n);
}

const usageRows = (server: ServerProcess): Promise<number> => count(server, 'SELECT count(*) AS n FROM usage');
const cloudRows = (server: ServerProcess): Promise<number> => count(server, 'SELECT count(*) AS n FROM cloud_files');

async function waitFor(check: () => boolean | Promise<boolean>, ms = 8000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('Cloud with OPENSQ_ANONYMOUS=off', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ env: { OPENSQ_ANONYMOUS: 'off', OPENSQ_ADMIN_KEY: ADMIN_KEY } });
  });
  after(async () => {
    await server?.stop();
  });

  it('a key-less upload, the public key and an unknown key are 401 in Cloud\'s shape; nothing is stored or counted', async () => {
    const rows = await usageRows(server);
    for (const headers of [{}, { authorization: 'Bearer openai' }, { authorization: 'Bearer sq-not-a-key' }, { 'x-api-key': 'sq-not-a-key' }] as Array<Record<string, string>>) {
      const res = await upload(server.url, 'anon.txt', Buffer.from('anonymous'), 'text/plain', headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.json.ok, false);
      assert.equal(typeof res.json.error, 'string');
    }
    assert.equal(await cloudRows(server), 0);
    assert.equal(await usageRows(server), rows, 'key-less refusals leave no usage row');
  });

  it('an upload with a key works, counts under that key, and its URL and owner key work without one', async () => {
    const key = await createKey(server.url, { name: 'uploader' });
    for (const headers of [{ authorization: `Bearer ${key.key}` }, { 'x-api-key': key.key }, { 'api-key': key.key }] as Array<Record<string, string>>) {
      const res = await upload(server.url, 'keyed.txt', Buffer.from('with a key'), 'text/plain', headers);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const row = (await server.query(`SELECT key_id, user_id, endpoint, status FROM usage WHERE request_id = '${res.headers.get('x-request-id')}'`))[0];
      assert.deepEqual({ ...row, user_id: Number(row.user_id) }, { key_id: key.id, user_id: key.user, endpoint: 'cloud.upload', status: 'ok' });
      const file = await fetch(res.json.url);
      assert.equal(await file.text(), 'with a key');
      assert.equal((await http(`${server.url}/cloud/delete/${idOf(res.json.url)}`, { headers: { authorization: res.json.owner } })).status, 200);
    }
  });
});

describe('Cloud uploads per address', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ env: { OPENSQ_TRUST_PROXY: 'true' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('IPv6 clients count per /64: 31 uploads from two addresses of one /64 hit the limit of 30 together', async () => {
    const addresses = ['2001:db8:aa:bb::1', '2001:db8:aa:bb:ffff:ffff:ffff:fffe'];
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await upload(server.url, `v6-${i}.txt`, Buffer.from('x'), 'text/plain', from(addresses[i % 2]))).status);
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(200));
    assert.equal(statuses[30], 429);
    assert.equal((await upload(server.url, 'next-64.txt', Buffer.from('x'), 'text/plain', from('2001:db8:aa:bc::1'))).status, 200, 'the next /64 is another client');
  });

  it('an IPv4-mapped IPv6 address is its IPv4 address', async () => {
    for (let i = 0; i < 15; i++) assert.equal((await upload(server.url, 'v4.txt', Buffer.from('x'), 'text/plain', from('203.0.113.9'))).status, 200);
    for (let i = 0; i < 15; i++) assert.equal((await upload(server.url, 'v4.txt', Buffer.from('x'), 'text/plain', from('::ffff:203.0.113.9'))).status, 200);
    assert.equal((await upload(server.url, 'v4.txt', Buffer.from('x'), 'text/plain', from('::ffff:203.0.113.9'))).status, 429);
    assert.equal((await upload(server.url, 'v4.txt', Buffer.from('x'), 'text/plain', from('203.0.113.10'))).status, 200, 'IPv4 counts per address');
  });
});

describe('Cloud uploads per address across processes', () => {
  it('two instances sharing one Redis prefix share the upload counter', { skip: needsRedis }, async () => {
    const env = { REDIS_URL, OPENSQ_REDIS_PREFIX: `opensq-threat-cloud-${process.pid}-${Date.now()}:`, OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '4' };
    const [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const statuses: number[] = [];
      for (const server of [a, b, a, b, a, b]) statuses.push((await upload(server.url, 'shared.txt', Buffer.from('x'))).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('the workers of `serve --workers 2` share the upload counter through the primary', async () => {
    const workers = await startServer({ env: { OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '6' }, args: ['--workers', '2'] });
    try {
      // A new connection each time, so the primary hands the uploads to both workers in turn.
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await upload(workers.url, 'worker.txt', Buffer.from('x'), 'text/plain', { connection: 'close' })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await workers.stop();
    }
  });
});

describe('Cloud total quota (OPENSQ_CLOUD_MAX_TOTAL_BYTES) on the local folder', () => {
  const QUOTA = 200_000;
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ env: { OPENSQ_CLOUD_MAX_TOTAL_BYTES: String(QUOTA) } });
  });
  after(async () => {
    await server?.stop();
  });

  it('refuses with 507 the upload that would cross it, declared or found mid-stream, and keeps nothing of it', async () => {
    const first = await upload(server.url, 'first.bin', randomBytes(120_000));
    assert.equal(first.status, 200);
    const declared = await upload(server.url, 'declared.bin', randomBytes(100_000));
    assert.deepEqual([declared.status, declared.json.ok], [507, false]);
    assert.match(declared.json.error, /full/);
    const streamed = await streamedUpload(server.url, 'streamed.bin', 100_000);
    assert.deepEqual([streamed.status, streamed.json.ok], [507, false]);
    assert.equal(await cloudRows(server), 1);
    assert.equal(listFiles(path.join(server.dataDir, 'cloud/files')).length, 1);
    assert.ok(await waitFor(() => listFiles(path.join(server.dataDir, 'cloud/tmp')).length === 0), 'no temp file is left');

    assert.equal((await upload(server.url, 'fits.bin', randomBytes(50_000))).status, 200, 'what fits is still taken');
    assert.equal((await http(first.json.url, { method: 'DELETE', headers: { authorization: first.json.owner } })).status, 200);
    assert.equal((await upload(server.url, 'after-delete.bin', randomBytes(100_000))).status, 200, 'a delete frees its bytes');
    const stored = await count(server, 'SELECT sum(size) AS n FROM cloud_files');
    assert.ok(stored <= QUOTA, `${stored} bytes stored`);
  });
});

describe('Cloud quota and expiry on S3', () => {
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3TestServer();
  });
  after(async () => {
    await s3?.close();
  });
  const s3Env = (extra: Record<string, string>) => ({
    S3_BUCKET: 'opensq',
    S3_ENDPOINT: s3.url,
    S3_ACCESS_KEY_ID: S3_ACCESS_KEY,
    S3_SECRET_ACCESS_KEY: S3_SECRET_KEY,
    S3_PREFIX: `threat-${Date.now()}/`,
    S3_PART_SIZE: String(5 * MIB),
    ...extra,
  });

  it('an upload crossing the quota mid-stream is aborted and leaves no object', async () => {
    const server = await startServer({ env: s3Env({ OPENSQ_CLOUD_MAX_TOTAL_BYTES: String(12 * MIB) }) });
    try {
      const first = await upload(server.url, 'first.bin', randomBytes(6 * MIB));
      assert.equal(first.status, 200);
      const objects = s3.objectKeys().length;
      // A first 5 MiB part is stored before the upload crosses the quota at 6 MiB.
      const streamed = await streamedUpload(server.url, 'streamed.bin', 10 * MIB);
      assert.deepEqual([streamed.status, streamed.json.ok], [507, false]);
      assert.ok(s3.log.some((r) => r.method === 'PUT' && r.url.includes('partNumber=1&')), 'a part was stored');
      assert.ok(await waitFor(() => s3.log.some((r) => r.method === 'DELETE' && /\?uploadId=/.test(r.url))), 'the multipart upload was aborted');
      const declared = await upload(server.url, 'declared.bin', randomBytes(7 * MIB));
      assert.equal(declared.status, 507);
      assert.equal(s3.objectKeys().length, objects);
      assert.equal(await cloudRows(server), 1);
    } finally {
      await server.stop();
    }
  });

  it('expired objects are swept', async () => {
    const server = await startServer({ env: s3Env({ OPENSQ_CLOUD_TTL_DAYS: String(2 / 86_400) }) });
    try {
      const res = await upload(server.url, 'short-lived.txt', Buffer.from('soon gone'));
      const key = s3.objectKeys().find((k) => k.endsWith(idOf(res.json.url)));
      assert.ok(key, 'stored');
      assert.ok(await waitFor(() => !s3.objectKeys().includes(key!)), 'the object is deleted');
      // The sweep deletes the object, then its row: wait for the row too (it raced on a loaded machine).
      assert.ok(await waitFor(async () => (await cloudRows(server)) === 0), 'its row is deleted');
      assert.equal((await fetch(res.json.url)).status, 404);
    } finally {
      await server.stop();
    }
  });
});

describe('Cloud expiry (OPENSQ_CLOUD_TTL_DAYS) on the local folder', () => {
  it('an expired file is a 404 at once, before any sweep removed it', async () => {
    const server = await startServer({ env: { OPENSQ_CLOUD_TTL_DAYS: '1' } });
    try {
      const res = await upload(server.url, 'old.txt', Buffer.from('old'));
      assert.equal((await fetch(res.json.url)).status, 200);
      await server.query(`UPDATE cloud_files SET created_at = created_at - ${2 * 86_400_000}`);
      const gone = await http(res.json.url);
      assert.deepEqual([gone.status, gone.json.ok], [404, false]);
      assert.equal((await http(res.json.url, { method: 'DELETE', headers: { authorization: res.json.owner } })).status, 404);
      assert.equal(await cloudRows(server), 1, 'the sweep (hourly for a TTL of a day) has not run yet');
    } finally {
      await server.stop();
    }
  });

  it('the sweep deletes expired files, their listing and their bytes', async () => {
    const server = await startServer({ env: { OPENSQ_CLOUD_TTL_DAYS: String(2 / 86_400) } });
    try {
      const res = await upload(server.url, 'brief.txt', Buffer.from('brief'));
      assert.equal(res.status, 200);
      assert.equal(listFiles(path.join(server.dataDir, 'cloud/files')).length, 1);
      assert.ok(await waitFor(async () => (await cloudRows(server)) === 0), 'the listing is deleted');
      assert.equal(listFiles(path.join(server.dataDir, 'cloud/files')).length, 0, 'and the bytes');
      assert.equal((await fetch(res.json.url)).status, 404);
    } finally {
      await server.stop();
    }
  });
});

describe('Cloud requests that do nothing leave no usage row', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ env: { OPENSQ_TRUST_PROXY: 'true', OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '3' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('200 GETs of unknown ids leave none', async () => {
    const rows = await usageRows(server);
    for (let i = 0; i < 200; i++) {
      const res = await http(`${server.url}/cloud/file/${randomBytes(16).toString('hex')}`);
      assert.deepEqual([res.status, res.json.ok], [404, false]);
    }
    assert.equal(await usageRows(server), rows);
  });

  it('nor do bad owner keys, malformed ids, rate-limited or malformed uploads; what succeeds still does', async () => {
    const rows = await usageRows(server);
    const kept = await upload(server.url, 'kept.txt', Buffer.from('kept'), 'text/plain', from('198.51.100.1'));
    assert.equal(kept.status, 200);
    const id = idOf(kept.json.url);
    for (let i = 0; i < 20; i++) {
      assert.equal((await http(`${server.url}/cloud/delete/${id}`, { headers: { authorization: `wrong-${i}` } })).status, 403);
      assert.equal((await http(`${server.url}/cloud/file/${id}`, { method: 'DELETE' })).status, 401);
      assert.equal((await http(`${server.url}/cloud/file/not-an-id-${i}`)).status, 400);
      assert.equal((await http(`${server.url}/cloud/nothing-${i}`)).status, 404);
    }
    for (let i = 0; i < 2; i++) assert.equal((await upload(server.url, 'more.txt', Buffer.from('x'), 'text/plain', from('198.51.100.1'))).status, 200);
    for (let i = 0; i < 10; i++) assert.equal((await upload(server.url, 'limited.txt', Buffer.from('x'), 'text/plain', from('198.51.100.1'))).status, 429);
    const broken = (await http(`${server.url}/cloud/upload`, { headers: { ...from('198.51.100.2'), 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nbroken' })).status;
    assert.equal(broken, 400);
    assert.equal((await http(`${server.url}/cloud/upload`, { headers: from('198.51.100.3'), json: { file: 'x' } })).status, 415);
    assert.equal(await usageRows(server), rows + 3, 'the three uploads that worked');
    assert.equal((await (await fetch(kept.json.url)).text()), 'kept');
    assert.equal((await http(kept.json.url, { method: 'DELETE', headers: { authorization: kept.json.owner } })).status, 200);
    assert.equal(await usageRows(server), rows + 5, 'the download and the delete');
  });
});
