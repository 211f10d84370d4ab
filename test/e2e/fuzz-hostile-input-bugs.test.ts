/**
 * The server bugs the hostile-input fuzzer found (test/support/fuzz-known-bugs.ts), each as the
 * smallest request that showed it, with the answer it gets now that it is fixed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_GEMINI_KEY, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { KNOWN_BUGS } from '../support/fuzz-known-bugs.js';
import { http } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { needsPostgresAndRedis } from '../support/services.js';
import { createTestBackend } from '../support/test-backend.js';
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
    // Fixed at the door: a body nested past MAX_JSON_DEPTH is refused, so none is kept that the log
    // could not serialise again; one nested 100 deep is served, kept and opens in the log.
    const deep = `{"model":"tts-1","input":"hello","voice":"alloy","meta":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    const refused = await http(`${server.url}/v1/audio/speech`, { headers: { 'content-type': 'application/json', authorization: 'Bearer openai' }, body: deep });
    assert.equal(refused.status, 400, refused.text.slice(0, 200));
    assert.equal(refused.json.error.code, 'invalid_json');
    const { key } = await createKey(server.url, {});
    const fine = `{"model":"tts-1","input":"hello","voice":"alloy","meta":${'['.repeat(100)}${']'.repeat(100)}}`;
    const spoken = await http(`${server.url}/v1/audio/speech`, { headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: fine });
    assert.equal(spoken.status, 200, spoken.text.slice(0, 200));
    const res = await admin(server.url, 'GET', `/requests/${String(spoken.headers['x-request-id'])}`);
    assert.equal(res.status, 200, `the operator cannot open this request: ${res.text.slice(0, 200)}`);
  });

  it(title('BUG-9'), { skip: needsPostgresAndRedis }, async () => {
    const backend = await createTestBackend(true);
    const gemini = await startFakeGemini();
    const victim = await startServer({ env: { ...backend.env, GEMINI_API_KEY: FAKE_GEMINI_KEY, GEMINI_BASE_URL: gemini.url, OPENSQ_ADMIN_KEY: ADMIN_KEY } });
    try {
      const { id, key } = await createKey(victim.url, { credits: 10, max_concurrency: 5 });
      const body = JSON.stringify({ model: 'gemini-2.0-flash', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }] });
      // The client leaves 0 to 20 ms after sending: while the server still authenticates and admits the request.
      for (let delay = 0; delay <= 20; delay++) {
        await request(`${victim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body, signal: AbortSignal.timeout(delay) })
          .then((r) => r.body.text())
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 2000));
      const inFlight = await metricValue(victim.url, 'opensq_requests_in_flight');
      const balance = (await admin(victim.url, 'GET', `/keys/${id}`)).json.credits as number;
      const spent = (await admin(victim.url, 'GET', `/usage?key_id=${id}`)).json.totals.cost as number;
      const slots = await Promise.all(Array.from({ length: 5 }, () => http(`${victim.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] } })));
      assert.deepEqual(
        { inFlight, unsettledCredits: Math.round((10 - spent - balance) * 1e6) / 1e6 || 0, slots: slots.map((r) => r.status) },
        { inFlight: 0, unsettledCredits: 0, slots: [200, 200, 200, 200, 200] },
      );
    } finally {
      await victim.stop();
      await gemini.close();
      await backend.drop();
    }
  });

  it(title('BUG-10'), { skip: needsPostgresAndRedis }, async () => {
    const backend = await createTestBackend(true);
    const victim = await startServer({ env: { ...backend.env, OPENSQ_ADMIN_KEY: ADMIN_KEY } });
    try {
      const statuses = {
        createKey: (await admin(victim.url, 'POST', '/keys', { name: 'a\u0000b' })).status,
        getKey: (await admin(victim.url, 'GET', '/keys/a%00b')).status,
        usage: (await admin(victim.url, 'GET', '/usage?model=a%00b')).status,
      };
      assert.ok(Object.values(statuses).every((status) => status < 500), JSON.stringify(statuses));
    } finally {
      await victim.stop();
      await backend.drop();
    }
  });

  it(title('BUG-11'), async () => {
    // A failpoint makes the answer's encoding throw: any 5xx is logged the same way.
    const victim = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_FAILPOINTS: 'complete.encode', LOG_LEVEL: 'info' } });
    try {
      const res = await http(`${victim.url}/v1/chat/completions?pad=${'x'.repeat(12_000)}`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(res.status, 500);
      await new Promise((r) => setTimeout(r, 100));
      const longest = Math.max(...victim.output().split('\n').map((line) => line.length));
      assert.ok(longest <= 8 * 1024, `a log line of ${longest} characters`);
    } finally {
      await victim.stop();
    }
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
