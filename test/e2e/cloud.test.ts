/**
 * OnlySq Cloud on the local-folder backend: upload, download with Range, delete by owner key, and
 * what must never happen — path tricks reaching other files, a file over the limit stored, a
 * half-written upload served or left behind, an address uploading without limit.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOUNDARY, multipartFrame, partialUpload, rawRequest, upload } from '../support/cloud-client.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const LIMIT = 1024 * 1024;
let server: ServerProcess;

before(async () => {
  server = await startServer({ env: { OPENSQ_CLOUD_MAX_BYTES: String(LIMIT), OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '1000' } });
});
after(async () => {
  await server?.stop();
});

const idOf = (url: string): string => url.split('/').pop()!;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

/** Cloud rows on the server's own database, SQLite or Postgres. */
async function cloudRows(server: ServerProcess): Promise<number> {
  return Number((await server.query('SELECT count(*) AS n FROM cloud_files'))[0].n);
}

async function waitFor(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('Cloud', () => {
  it('upload answers ok, owner and url; the file comes back byte for byte with its name and type', async () => {
    const bytes = Buffer.from('hello cloud, these are the bytes\n');
    const res = await upload(server.url, 'notes.txt', bytes, 'text/plain');
    assert.equal(res.status, 200);
    assert.equal(res.json.ok, true);
    assert.match(res.json.owner, /^[\w-]{32}$/);
    assert.match(res.json.url, new RegExp(`^${server.url}/cloud/file/[0-9a-f]{32}$`));
    const file = await fetch(res.json.url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'text/plain');
    assert.equal(file.headers.get('content-disposition'), 'notes.txt', 'the bare name, as OnlySq clients read it');
    assert.equal(file.headers.get('accept-ranges'), 'bytes');
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
    const dl = await fetch(`${res.json.url}?mode=dl`);
    assert.equal(dl.headers.get('content-disposition'), `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`);
    const view = await fetch(`${res.json.url}?mode=view`);
    assert.match(view.headers.get('content-disposition') ?? '', /^inline; /);
  });

  it('every Cloud request that did something leaves one usage row under its x-request-id; a key-less refusal leaves none', async () => {
    const up = await upload(server.url, 'ledger.txt', Buffer.from('counted'), 'text/plain');
    const down = await fetch(up.json.url);
    await down.arrayBuffer();
    const wrong = await http(`${server.url}/cloud/delete/${idOf(up.json.url)}`, { headers: { authorization: 'not-the-owner' } });
    assert.equal(wrong.status, 403);
    assert.match(String(wrong.headers['x-request-id']), /^req-/, 'no row, so a plain request id, not a row id');
    assert.equal((await server.query(`SELECT count(*) AS n FROM usage WHERE request_id = '${String(wrong.headers['x-request-id'])}'`))[0].n, 0);
    const del = await http(up.json.url, { method: 'DELETE', headers: { authorization: up.json.owner } });
    const ids = [up.headers.get('x-request-id'), down.headers.get('x-request-id'), del.headers['x-request-id']];
    for (const id of ids) assert.match(String(id), /^cloud-/);
    const rows = await server.query(`SELECT request_id, endpoint, model, key_id, user_id, status, http_status, error_code, deployment FROM usage WHERE request_id IN (${ids.map((id) => `'${id}'`).join(', ')}) ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => [r.request_id, r.endpoint, r.status, Number(r.http_status), r.error_code]),
      [
        [ids[0], 'cloud.upload', 'ok', 200, null],
        [ids[1], 'cloud.download', 'ok', 200, null],
        [ids[2], 'cloud.delete', 'ok', 200, null],
      ],
    );
    for (const r of rows) assert.deepEqual([r.model, r.key_id, Number(r.user_id), r.deployment], ['cloud', 'key_public', 0, 'local']);
  });

  it('names keep their UTF-8 and lose any path', async () => {
    const res = await upload(server.url, '../../секрет файл.txt', Buffer.from('x'));
    const file = await fetch(`${res.json.url}?mode=dl`);
    assert.equal(file.headers.get('content-disposition'), `attachment; filename="______ ____.txt"; filename*=UTF-8''${encodeURIComponent('секрет файл.txt')}`);
    const bare = await rawRequest(server.url, `GET /cloud/file/${idOf(res.json.url)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const header = /content-disposition: (.*)/i.exec(bare.head)![1];
    assert.equal(Buffer.from(header, 'latin1').toString('utf8'), 'секрет файл.txt');
  });

  it('Range: a slice, a suffix, an open end, and 416 past the end', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const { json } = await upload(server.url, 'range.bin', bytes);
    const slice = await fetch(json.url, { headers: { range: 'bytes=10-19' } });
    assert.equal(slice.status, 206);
    assert.equal(slice.headers.get('content-range'), 'bytes 10-19/1000');
    assert.deepEqual(Buffer.from(await slice.arrayBuffer()), bytes.subarray(10, 20));
    const suffix = await fetch(json.url, { headers: { range: 'bytes=-5' } });
    assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), bytes.subarray(995));
    const open = await fetch(json.url, { headers: { range: 'bytes=990-' } });
    assert.equal(open.headers.get('content-length'), '10');
    const past = await fetch(json.url, { headers: { range: 'bytes=1000-' } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */1000');
    assert.equal(((await past.json()) as { ok: boolean }).ok, false);
  });

  it('delete needs the owner key: none is 401, a wrong one 403, the right one removes the file', async () => {
    const { json } = await upload(server.url, 'mine.txt', Buffer.from('mine'));
    const id = idOf(json.url);
    const none = await http(`${server.url}/cloud/file/${id}`, { method: 'DELETE' });
    assert.deepEqual([none.status, none.json.ok], [401, false]);
    const wrong = await http(`${server.url}/cloud/delete/${id}`, { headers: { authorization: 'not-the-owner' } });
    assert.deepEqual([wrong.status, wrong.json.ok], [403, false]);
    const other = await upload(server.url, 'other.txt', Buffer.from('other'));
    const crossed = await http(`${server.url}/cloud/file/${id}`, { method: 'DELETE', headers: { authorization: other.json.owner } });
    assert.equal(crossed.status, 403, "another file's owner key does not work");
    assert.equal((await fetch(json.url)).status, 200);
    const ok = await http(`${server.url}/cloud/delete/${id}`, { headers: { authorization: json.owner } });
    assert.deepEqual([ok.status, ok.json], [200, { ok: true }]);
    const gone = await http(json.url);
    assert.deepEqual([gone.status, gone.json.ok], [404, false]);
    assert.equal((await http(`${server.url}/cloud/file/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${json.owner}` } })).status, 404);
    assert.equal((await http(other.json.url, { method: 'DELETE', headers: { authorization: `Bearer ${other.json.owner}` } })).status, 200, 'Bearer is accepted too');
  });

  it('path tricks in ids reach nothing', async () => {
    const { json } = await upload(server.url, 'target.txt', Buffer.from('target'));
    const id = idOf(json.url);
    const paths = [
      '/cloud/file/../../opensq.db',
      '/cloud/file/..%2F..%2Fopensq.db',
      '/cloud/file/%2e%2e%2f%2e%2e%2fopensq.db',
      '/cloud/file/..%5C..%5Copensq.db',
      `/cloud/file/${id}/../../opensq.db`,
      `/cloud/file/${id}%00`,
      `/cloud/file/${id.toUpperCase()}`,
      `/cloud/file/${id.slice(0, 2)}`,
      '/cloud/file/%2Fetc%2Fpasswd',
      '/cloud/delete/..%2F..%2Fopensq.db',
      '/cloud/file/',
    ];
    for (const p of paths) {
      const res = await rawRequest(server.url, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(res.status === 400 || res.status === 404, `${p}: ${res.status}`);
      assert.equal(JSON.parse(res.body).ok, false, p);
      assert.doesNotMatch(res.body, /SQLite format|root:/);
    }
    assert.equal((await fetch(json.url)).status, 200, 'the real file is still there');
  });

  it('a file over the limit is refused with 413 and nothing is kept, whether declared or streamed', async () => {
    const rows = await cloudRows(server);
    const files = listFiles(path.join(server.dataDir, 'cloud/files')).length;
    const exact = await upload(server.url, 'exact.bin', Buffer.alloc(LIMIT, 1));
    assert.equal(exact.status, 200, 'exactly the limit is fine');
    const declared = await upload(server.url, 'big.bin', Buffer.alloc(LIMIT * 3, 1));
    assert.deepEqual([declared.status, declared.json.ok], [413, false]);
    // Chunked, so the size is known only once the limit is crossed mid-stream.
    const { head, tail } = multipartFrame('streamed.bin', 'application/octet-stream');
    const streamed = await fetch(`${server.url}/cloud/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: new Blob([new Uint8Array(head), new Uint8Array(LIMIT + 1), new Uint8Array(tail)]).stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.match(((await streamed.json()) as { error: string }).error, /larger than the limit/);
    assert.equal(await cloudRows(server), rows + 1);
    assert.equal(listFiles(path.join(server.dataDir, 'cloud/files')).length, files + 1);
    assert.ok(await waitFor(() => listFiles(path.join(server.dataDir, 'cloud/tmp')).length === 0));
  });

  it('a client that disconnects mid-upload leaves nothing: no file, no listing, no temp file', async () => {
    const rows = await cloudRows(server);
    const files = listFiles(path.join(server.dataDir, 'cloud/files')).length;
    const socket = await partialUpload(server.url, 900 * 1024, 300 * 1024);
    assert.ok(await waitFor(() => listFiles(path.join(server.dataDir, 'cloud/tmp')).length === 1), 'the upload was being written');
    socket.destroy();
    assert.ok(await waitFor(() => listFiles(path.join(server.dataDir, 'cloud/tmp')).length === 0), 'the temp file is removed');
    assert.equal(await cloudRows(server), rows);
    assert.equal(listFiles(path.join(server.dataDir, 'cloud/files')).length, files);
  });

  it('bad uploads: not multipart is 415, multipart without a file 400', async () => {
    const plain = await http(`${server.url}/cloud/upload`, { json: { file: 'x' } });
    assert.deepEqual([plain.status, plain.json.ok], [415, false]);
    const form = new FormData();
    form.append('other', 'value');
    const noFile = await fetch(`${server.url}/cloud/upload`, { method: 'POST', body: form });
    assert.equal(noFile.status, 400);
    assert.match(((await noFile.json()) as { error: string }).error, /field named "file"/);
    const unknown = await http(`${server.url}/cloud/nothing-here`);
    assert.deepEqual([unknown.status, unknown.json.ok], [404, false]);
  });
});

describe('Cloud uploads per address', () => {
  it('past the limit an address gets 429 with Retry-After', async () => {
    const limited = await startServer({ env: { OPENSQ_CLOUD_UPLOADS_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await upload(limited.url, `f${i}.txt`, Buffer.from('x'))).status, 200);
      const refused = await upload(limited.url, 'f3.txt', Buffer.from('x'));
      assert.deepEqual([refused.status, refused.json.ok], [429, false]);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60);
      assert.equal((await fetch(`${limited.url}/health`)).status, 200, 'only uploads are limited');
    } finally {
      await limited.stop();
    }
  });
});

describe('Cloud after a crash', () => {
  it('a restart removes what an upload cut by kill -9 had written', async () => {
    const first = await startServer({ dataDir: undefined });
    const dataDir = first.dataDir;
    const socket = await partialUpload(first.url, 900 * 1024, 300 * 1024);
    const tmp = path.join(dataDir, 'cloud/tmp');
    assert.ok(await waitFor(() => listFiles(tmp).length === 1));
    await first.kill9();
    socket.destroy();
    assert.equal(listFiles(tmp).length, 1, 'the crash left a temp file');
    const second = await startServer({ dataDir });
    try {
      assert.equal(listFiles(tmp).length, 0);
      assert.equal(await cloudRows(second), 0);
    } finally {
      await second.stop();
    }
  });
});
