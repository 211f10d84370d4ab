/**
 * Threats on the request side, third round: bodies in an encoding the gateway does not read,
 * bodies declared larger than the limit and never sent, bodies that trickle or stall. Each is sent
 * over a raw socket, byte for byte as a hostile client would, against the built server.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const BODY_LIMIT = 1024 * 1024;
const BODY_TIMEOUT_MS = 1500;
const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: {
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: upstream.url,
      OPENSQ_ADMIN_KEY: ADMIN_KEY,
      OPENSQ_BODY_LIMIT: String(BODY_LIMIT),
      OPENSQ_CLOUD_MAX_BYTES: String(BODY_LIMIT),
      OPENSQ_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    },
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

interface RawAnswer {
  /** The status line's code; 0 when nothing came back. */
  status: number;
  head: string;
  body: string;
  /** When the first byte of the answer came, in ms from the connection; undefined if none did. */
  firstByteMs: number | undefined;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
}

/**
 * Writes `head` (and `body`, or one byte of `trickle` every `trickleMs`) to a fresh connection and
 * collects what comes back within `waitMs`.
 */
function raw(options: { head: string; body?: Buffer | string; trickleMs?: number; waitMs: number }): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    let firstByteMs: number | undefined;
    let trickle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      clearInterval(trickle);
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body, firstByteMs, closed });
    };
    const timer = setTimeout(() => finish(false), options.waitMs);
    socket.on('data', (data) => {
      firstByteMs ??= Date.now() - started;
      received += data.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.write(options.head);
    if (options.body !== undefined) socket.write(options.body);
    if (options.trickleMs) trickle = setInterval(() => socket.writable && socket.write(' '), options.trickleMs);
  });
}

function post(path: string, headers: Record<string, string | number>): string {
  return `POST ${path} HTTP/1.1\r\nHost: gateway\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function assertOpenAIError(answer: { status: number; body: string }, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body.slice(0, 300));
  const json = JSON.parse(answer.body);
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(json.error.code, code, answer.body);
}

describe('a body in a content encoding', () => {
  for (const encoding of ['gzip', 'deflate', 'br', 'zstd', 'x-hostile']) {
    it(`${encoding} on /v1/chat/completions is a 415 naming the encoding, not a JSON parse error of its bytes`, async () => {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: gzipSync(CHAT) });
      assertOpenAIError({ status: res.status, body: res.text }, 415, 'unsupported_media_type');
      assert.match(res.json.error.message, new RegExp(encoding));
    });
  }

  it('a gzip body of 10 MB that inflates to gigabytes is refused without being read into memory', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    assertOpenAIError({ status: res.status, body: res.text }, 415, 'unsupported_media_type');
  });

  it('a transfer coding other than chunked (gzip, chunked) is a 415, not its compressed bytes parsed as JSON', async () => {
    const gz = gzipSync(CHAT);
    const body = `${gz.length.toString(16)}\r\n${gz.toString('latin1')}\r\n0\r\n\r\n`;
    const answer = await raw({ head: post('/v1/chat/completions', { 'content-type': 'application/json', 'transfer-encoding': 'gzip, chunked' }), body: Buffer.from(body, 'latin1'), waitMs: 3000 });
    assertOpenAIError(answer, 415, 'unsupported_media_type');
    assert.match(JSON.parse(answer.body).error.message, /gzip, chunked/);
  });

  it('identity (no encoding at all) is served', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, body: CHAT });
    assert.equal(res.status, 200, res.text);
  });

  it('gzip on /v1/messages is a 415 in Anthropic’s shape', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const res = await http(`${server.url}/v1/messages`, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(body) });
    assert.equal(res.status, 415, res.text);
    assert.equal(res.json.type, 'error', res.text);
  });

  it('gzip on a Cloud upload is a 415 in Cloud’s shape, and nothing is stored', async () => {
    const form = gzipSync('--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n');
    const res = await http(`${server.url}/cloud/upload`, { headers: { 'content-type': 'multipart/form-data; boundary=B', 'content-encoding': 'gzip' }, body: form });
    assert.equal(res.status, 415, res.text);
    assert.equal(res.json.ok, false, res.text);
  });
});

describe('a body declared larger than the limit and never sent', () => {
  const routes: Array<[string, string]> = [
    ['/v1/chat/completions', 'application/json'],
    ['/v1/messages', 'application/json'],
    ['/ai/v2', 'application/json'],
    ['/v1/embeddings', 'text/plain'],
    ['/cloud/upload', 'multipart/form-data; boundary=B'],
  ];
  for (const [path, type] of routes) {
    it(`${path}: 413 at once from the Content-Length (limit + 1 byte, and twice the limit), and the connection closed soon after`, async () => {
      for (const length of [BODY_LIMIT + 64 * 1024 + 1, 2 * BODY_LIMIT]) {
        const answer = await raw({ head: post(path, { 'content-type': type, 'content-length': length }), waitMs: 5000 });
        assert.equal(answer.status, 413, `${length} bytes declared: ${answer.head || 'no answer'} after ${answer.firstByteMs} ms`);
        assert.ok(answer.firstByteMs! < 1000, `answered after ${answer.firstByteMs} ms`);
        assert.ok(answer.closed, 'the connection stays open');
      }
    });
  }
});

describe('a body that trickles or stalls', () => {
  it('a JSON body sent a byte at a time is a 408 once the body timeout passes, and the connection is closed', async () => {
    const answer = await raw({ head: post('/v1/chat/completions', { 'content-type': 'application/json', 'content-length': 100_000 }), trickleMs: 100, waitMs: BODY_TIMEOUT_MS + 3000 });
    assertOpenAIError(answer, 408, 'request_timeout');
    assert.ok(answer.firstByteMs! >= BODY_TIMEOUT_MS - 100, `answered after ${answer.firstByteMs} ms`);
    assert.ok(answer.closed, 'the connection stays open');
  });

  it('a chunked JSON body that never ends is a 408 too', async () => {
    const answer = await raw({ head: post('/v1/chat/completions', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }), body: '1\r\n{\r\n', waitMs: BODY_TIMEOUT_MS + 3000 });
    assertOpenAIError(answer, 408, 'request_timeout');
    assert.ok(answer.closed, 'the connection stays open');
  });

  it('a body that ends early (Content-Length larger than sent, then silence) is a 408 on /v1/messages in Anthropic’s shape', async () => {
    const answer = await raw({ head: post('/v1/messages', { 'content-type': 'application/json', 'content-length': 100 }), body: '{"model":', waitMs: BODY_TIMEOUT_MS + 3000 });
    assert.equal(answer.status, 408, answer.head || 'no answer');
    assert.equal(JSON.parse(answer.body).type, 'error');
    assert.ok(answer.closed, 'the connection stays open');
  });

  it('a Cloud upload that stalls is a 408 in Cloud’s shape', async () => {
    const start = '--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhel';
    const answer = await raw({ head: post('/cloud/upload', { 'content-type': 'multipart/form-data; boundary=B', 'content-length': 10_000 }), body: start, waitMs: BODY_TIMEOUT_MS + 3000 });
    assert.equal(answer.status, 408, answer.head || 'no answer');
    assert.equal(JSON.parse(answer.body).ok, false);
    assert.ok(answer.closed, 'the connection stays open');
  });

  for (const path of ['/health', '/v1/models', '/cloud/file/0123456789abcdef0123456789abcdef']) {
    it(`GET ${path} with a body that trickles on after the answer: the connection is closed once the body timeout passes`, async () => {
      const answer = await raw({ head: `GET ${path} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 100000\r\n\r\n`, trickleMs: 100, waitMs: BODY_TIMEOUT_MS + 3000 });
      assert.ok(answer.status > 0, 'no answer');
      assert.ok(answer.closed, `the connection stays open after ${answer.status}`);
    });
  }

  it('a chunked body larger than the limit is a 413', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const answer = await raw({ head: post('/v1/chat/completions', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }), body: chunks, waitMs: 5000 });
    assertOpenAIError(answer, 413, 'request_too_large');
  });

  it('a normal body still goes through, and nothing is left in flight', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: CHAT });
    assert.equal(res.status, 200, res.text);
    const metrics = await http(`${server.url}/metrics`);
    assert.match(metrics.text, /^opensq_requests_in_flight 0$/m);
  });
});
