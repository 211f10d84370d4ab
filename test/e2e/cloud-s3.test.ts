/**
 * The Cloud store on S3-compatible storage: s3rver (a real S3 REST server from npm) behind a front
 * that checks every request's SigV4 signature and payload hash, since s3rver does not.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { partialUpload, upload } from '../support/cloud-client.js';
import { http } from '../support/http.js';
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3TestServer, startS3TestServer } from '../support/s3-test-server.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const MIB = 1024 * 1024;
let s3: S3TestServer;
let server: ServerProcess;

const s3Env = (secret = S3_SECRET_KEY) => ({
  S3_BUCKET: 'opensq',
  S3_ENDPOINT: s3.url,
  S3_ACCESS_KEY_ID: S3_ACCESS_KEY,
  S3_SECRET_ACCESS_KEY: secret,
  S3_PREFIX: 'cloud/',
  S3_PART_SIZE: String(5 * MIB),
  OPENSQ_CLOUD_MAX_BYTES: String(64 * MIB),
});

before(async () => {
  s3 = await startS3TestServer();
  server = await startServer({ env: s3Env() });
});
after(async () => {
  await server?.stop();
  await s3?.close();
});

const idOf = (url: string): string => url.split('/').pop()!;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function waitFor(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && !check()) await new Promise((r) => setTimeout(r, 25));
  return check();
}

describe('Cloud on S3', () => {
  it('a small file is one signed PUT; it downloads, ranges and deletes', async () => {
    const bytes = Buffer.from('stored in object storage\n');
    const res = await upload(server.url, 'small.txt', bytes, 'text/plain');
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const id = idOf(res.json.url);
    assert.ok(s3.objectKeys().includes(`cloud/${id}`));
    assert.ok(s3.log.some((r) => r.method === 'PUT' && r.url === `/opensq/cloud/${id}` && r.status === 200));
    const file = await fetch(res.json.url);
    assert.equal(file.headers.get('content-type'), 'text/plain');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
    const slice = await fetch(res.json.url, { headers: { range: 'bytes=10-16' } });
    assert.equal(slice.status, 206);
    assert.equal(await slice.text(), 'object ');
    assert.equal((await http(res.json.url, { method: 'DELETE', headers: { authorization: res.json.owner } })).status, 200);
    assert.ok(!s3.objectKeys().includes(`cloud/${id}`));
    assert.equal((await fetch(res.json.url)).status, 404);
    assert.ok(!existsSync(path.join(server.dataDir, 'cloud')), 'nothing went to the local folder');
  });

  it('a large file streams in 5 MiB parts of a multipart upload and comes back whole', async () => {
    const bytes = randomBytes(12 * MIB + 12345);
    const res = await upload(server.url, 'large.bin', bytes);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const id = idOf(res.json.url);
    const calls = s3.log.filter((r) => r.url.startsWith(`/opensq/cloud/${id}`)).map((r) => `${r.method} ${r.url.replace(/uploadId=[^&]+/, 'uploadId=U')} ${r.status}`);
    assert.deepEqual(calls, [
      `POST /opensq/cloud/${id}?uploads= 200`,
      `PUT /opensq/cloud/${id}?partNumber=1&uploadId=U 200`,
      `PUT /opensq/cloud/${id}?partNumber=2&uploadId=U 200`,
      `PUT /opensq/cloud/${id}?partNumber=3&uploadId=U 200`,
      `POST /opensq/cloud/${id}?uploadId=U 200`,
    ]);
    const whole = Buffer.from(await (await fetch(res.json.url)).arrayBuffer());
    assert.equal(whole.length, bytes.length);
    assert.equal(sha(whole), sha(bytes));
    const across = await fetch(res.json.url, { headers: { range: `bytes=${5 * MIB - 3}-${5 * MIB + 3}` } });
    assert.deepEqual(Buffer.from(await across.arrayBuffer()), bytes.subarray(5 * MIB - 3, 5 * MIB + 4));
  });

  it('a client that disconnects mid-upload leaves no object: the multipart upload is aborted', async () => {
    const before = s3.objectKeys().length;
    const socket = await partialUpload(server.url, 12 * MIB, 7 * MIB);
    assert.ok(await waitFor(() => s3.log.some((r) => r.method === 'PUT' && r.url.includes('partNumber=1&'))), 'a first part was stored');
    socket.destroy();
    assert.ok(await waitFor(() => s3.log.some((r) => r.method === 'DELETE' && /\?uploadId=/.test(r.url))), 'the multipart upload was aborted');
    assert.equal(s3.objectKeys().length, before);
  });

  it('storage that refuses the signature is a 502, and nothing is listed', async () => {
    const wrong = await startServer({ env: s3Env('not-the-secret') });
    try {
      const res = await upload(wrong.url, 'x.txt', Buffer.from('x'));
      assert.deepEqual([res.status, res.json.ok], [502, false]);
      assert.match(res.json.error, /SignatureDoesNotMatch/);
    } finally {
      await wrong.stop();
    }
  });
});
