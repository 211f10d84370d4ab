/**
 * The server bugs the hostile-input fuzzer found (test/support/fuzz-known-bugs.ts), each as the
 * smallest request that shows it, with the answer it should get. They fail until fixed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin } from '../support/admin.js';
import { KNOWN_BUGS } from '../support/fuzz-known-bugs.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const title = (id: string): string => `${id}: ${KNOWN_BUGS.find((b) => b.id === id)?.title}`;

function assertOpenAIError(res: { status: number; text: string; json: any }): void {
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text.slice(0, 200)}`);
  assert.deepEqual(Object.keys(res.json ?? {}), ['error'], res.text.slice(0, 200));
  assert.deepEqual(Object.keys(res.json.error).sort(), ['code', 'message', 'param', 'type'], res.text.slice(0, 200));
}

function assertCloudError(res: { status: number; text: string; json: any }): void {
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text.slice(0, 200)}`);
  assert.equal(res.json?.ok, false, res.text.slice(0, 200));
  assert.equal(typeof res.json.error, 'string', res.text.slice(0, 200));
}

describe('bugs the hostile-input fuzzer found', () => {
  let upstream: FakeOpenAI;
  let server: ServerProcess;

  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it(title('BUG-1'), async () => {
    // Its own server: the request below kills the process it reaches.
    const victim = await startServer();
    try {
      const body = '--B\r\nContent-Disposition: form-data; name="other"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello';
      const res = await request(`${victim.url}/cloud/upload`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body }).then(
        async (r) => ({ status: r.statusCode, text: await r.body.text() }),
        (error: Error) => ({ status: 0, text: error.message }),
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(victim.proc.exitCode, null, `the server died:\n${victim.output().slice(-800)}`);
      assertCloudError({ ...res, json: JSON.parse(res.text) });
    } finally {
      await victim.stop();
    }
  });

  it(title('BUG-2'), async () => {
    assertOpenAIError(await http(`${server.url}/v1/models/gpt-4o-mini%zz`));
    assertCloudError(await http(`${server.url}/cloud/file/%zz`));
    assertCloudError(await http(`${server.url}/cloud/file/${'a'.repeat(200)}`));
  });

  it(title('BUG-3'), async () => {
    assertOpenAIError(await http(`${server.url}/ai/models`, { headers: { 'x-padding': 'x'.repeat(20_000) } }));
    assertOpenAIError(await http(`${server.url}/ai/models?q=${'x'.repeat(20_000)}`));
  });

  it(title('BUG-4'), async () => {
    // The default cooldown: three failures from two requests cool a deployment down for 30 s.
    const victim = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_COOLDOWN_FAILURES: '3' } });
    try {
      const deep = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const hostile = [];
      for (let i = 0; i < 2; i++) hostile.push(await http(`${victim.url}/v1/chat/completions`, { headers: { 'content-type': 'application/json' }, body: deep }));
      const innocent = await http(`${victim.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'an innocent request' }] } });
      assert.deepEqual(
        { hostile: hostile.map((r) => r.status < 500), innocent: innocent.status },
        { hostile: [true, true], innocent: 200 },
        `two 10 KB requests: ${hostile.map((r) => `${r.status} ${r.text.slice(0, 160)}`).join(', ')}; then an innocent one: ${innocent.status} ${innocent.text.slice(0, 200)}`,
      );
      for (const res of hostile) assertOpenAIError(res);
    } finally {
      await victim.stop();
    }
  });

  it(title('BUG-5'), async () => {
    const before = (await admin(server.url, 'GET', '/usage?limit=1')).json.totals.requests;
    const res = await http(`${server.url}/cloud/upload`, { headers: { 'content-type': 'x' }, body: 'hello' });
    assertCloudError(res);
    assert.equal(res.status, 415);
    assert.equal((await admin(server.url, 'GET', '/usage?limit=1')).json.totals.requests, before, 'a key-less client error leaves no usage row');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!server.output().includes('FST_ERR_CTP_INVALID_MEDIA_TYPE'), 'a client error is not logged as a server failure');
  });

  it(title('BUG-6'), async () => {
    const res = await http(`${server.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      // "x-ü" as a client sends it: its UTF-8 bytes.
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': Buffer.from('x-\u00fc', 'utf8').toString('latin1') },
    });
    assert.equal(res.status, 204);
    assert.match(String(res.headers['access-control-allow-headers']), /^[\x20-\x7e]*$/, 'printable ASCII only');
  });

  it(title('BUG-8'), async () => {
    // Speech ignores fields it does not know, so the request runs and its body is kept.
    const body = `{"model":"tts-1","input":"hello","voice":"alloy","meta":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    const spoken = await http(`${server.url}/v1/audio/speech`, { headers: { 'content-type': 'application/json' }, body });
    assert.equal(spoken.status, 200, spoken.text.slice(0, 200));
    const res = await admin(server.url, 'GET', `/requests/${String(spoken.headers['x-request-id'])}`);
    assert.equal(res.status, 200, `the operator cannot open this request: ${res.text.slice(0, 200)}`);
  });

  it(title('BUG-7'), async () => {
    const victim = await startServer();
    try {
      const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${victim.proc.pid}/status`, 'utf8'))?.[1]) * 1024;
      await http(`${victim.url}/v1/chat/completions`, { json: {} });
      const before = rss();
      const size = 256 * 1024;
      const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(size) }] }));
      async function* oneByteChunks(): AsyncGenerator<Buffer> {
        for (let i = 0; i < body.length; i++) yield body.subarray(i, i + 1);
      }
      const res = await request(`${victim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Readable.from(oneByteChunks()) });
      await res.body.text();
      const grown = rss() - before;
      assert.ok(grown < 32 * 1024 * 1024, `a ${Math.round(body.length / 1024)} KiB body in one-byte chunks grew the server by ${Math.round(grown / 1024 / 1024)} MiB (${Math.round(grown / body.length)} bytes a byte)`);
    } finally {
      await victim.stop();
    }
  });
});
