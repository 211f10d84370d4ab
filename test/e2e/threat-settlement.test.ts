/**
 * Threat: one request leaks capacity forever. Client text in a response header made the head write
 * throw after the reply was taken over, and nothing was given back: the key's concurrency slot, the
 * deployment's in-flight count, the credit reservation, the usage row. Now headers carry only
 * printable ASCII from the gateway's own words, and every admitted request settles all four once,
 * whatever throws and wherever (failpoints inject a throw at each stage).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { type FakeGtts, startFakeGtts } from '../fakes/gtts-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http, type HttpResult, sseDataLines } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const HOSTILE_KEYS = ['\u0100', '😀', 'a\r\nx-injected: 1', 'x'.repeat(10_000), '\u0000\u001b[31m'];

/** The answer arrives (no hang) and its headers are printable ASCII of bounded length. */
function assertCleanHeaders(res: HttpResult): void {
  const warnings = res.headers['x-opensq-warnings'];
  if (warnings === undefined) return;
  assert.match(String(warnings), /^[\x20-\x7e]*$/, 'printable ASCII only');
  assert.ok(String(warnings).length <= 2000, `warnings of ${String(warnings).length} characters`);
  assert.equal(res.headers['x-injected'], undefined);
}

async function assertSettled(server: ServerProcess, deployment: string, keyId: string, initialCredits: number): Promise<void> {
  assert.equal(await metricValue(server.url, 'opensq_requests_in_flight'), 0, 'requests in flight');
  assert.equal(await metricValue(server.url, 'opensq_deployment_in_flight', { deployment }), 0, 'deployment in flight');
  const balance = (await admin(server.url, 'GET', `/keys/${keyId}`)).json.credits;
  const rows = (await admin(server.url, 'GET', `/usage?key_id=${keyId}&limit=1000`)).json.data as Array<{ cost: number }>;
  const spent = rows.reduce((sum, row) => sum + row.cost, 0);
  assert.ok(balance >= 0, `balance ${balance}`);
  assert.ok(Math.abs(initialCredits - spent - balance) < 1e-9, `reservations were given back: ${initialCredits} - ${spent} != ${balance}`);
}

describe('client text never reaches a header, and never leaks capacity', () => {
  let gemini: FakeGemini;
  let gtts: FakeGtts;
  let server: ServerProcess;

  before(async () => {
    gemini = await startFakeGemini();
    gtts = await startFakeGtts();
    server = await startServer({
      env: { GEMINI_API_KEY: FAKE_GEMINI_KEY, GEMINI_BASE_URL: gemini.url, GTTS_BASE_URL: gtts.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_ANONYMOUS_CONCURRENCY: '2', LOG_LEVEL: 'info' },
    });
  });
  after(async () => {
    await server?.stop();
    await gemini?.close();
    await gtts?.close();
  });

  const chat = (key: string, extra: Record<string, unknown>, stream = false) =>
    http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }], stream, ...extra } });

  it('non-ASCII, control and huge body keys to a Gemini model: clean answers, and the key and deployment are free after', async () => {
    const { id, key } = await createKey(server.url, { max_concurrency: 2, credits: 5 });
    for (const stream of [false, true]) {
      for (const hostile of HOSTILE_KEYS) {
        const res = await chat(key, { [hostile]: 1 }, stream);
        assert.equal(res.status, 200, res.text.slice(0, 200));
        assertCleanHeaders(res);
        assert.match(String(res.headers['x-opensq-warnings']), /gemini does not support/);
      }
    }
    await assertSettled(server, 'gemini/gemini-2.0-flash', id, 5);
    const after = await Promise.all([chat(key, {}), chat(key, {}, true)]);
    assert.deepEqual(after.map((r) => r.status), [200, 200], 'both concurrency slots are free');
  });

  it('the public key, with anonymous concurrency 2, keeps working after three such requests', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await chat('openai', { '\u0100': i }, i % 2 === 1)).status, 200);
    const later = await Promise.all([chat('openai', {}), chat('openai', {})]);
    assert.deepEqual(later.map((r) => r.status), [200, 200]);
  });

  it('ten thousand unknown keys: a bounded header and a bounded log line', async () => {
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`unknown_${i}_${'y'.repeat(20)}`, 1]));
    const res = await chat('openai', many);
    assert.equal(res.status, 200);
    assertCleanHeaders(res);
    assert.match(String(res.headers['x-opensq-warnings']), /gemini does not support unknown_0_y+, unknown_1_y+, unknown_2_y+ and 9997 more; ignored/);
    await new Promise((r) => setTimeout(r, 100));
    const longest = Math.max(...server.output().split('\n').map((line) => line.length));
    assert.ok(longest < 4000, `a log line of ${longest} characters`);
    assert.ok(!server.output().includes('x'.repeat(300)), 'a client-chosen key of any length reached the log');
  });

  it('a voice of any text on /ai/tts answers audio, not a 500 after billing', async () => {
    for (const voice of ['😀', '\u0100', 'a\r\nx-injected: 1']) {
      const res = await http(`${server.url}/ai/tts`, { json: { model: 'gtts', text: 'Hello there.', lang: 'en', voice } });
      assert.equal(res.status, 200, res.text.slice(0, 200));
      assertCleanHeaders(res);
      assert.match(String(res.headers['x-opensq-warnings']), /has no voices; \(a name not shown\) was ignored/);
    }
    const long = await http(`${server.url}/ai/tts`, { json: { model: 'gtts', text: 'Hello there.', lang: 'en', voice: 'v'.repeat(5000) } });
    assert.equal(long.status, 400);
    assert.equal(long.json.error.param, 'voice');
  });
});

describe('a throw at any stage settles everything once (failpoints)', () => {
  let upstream: FakeOpenAI;
  before(async () => {
    upstream = await startFakeOpenAI();
  });
  after(async () => {
    await upstream?.close();
  });

  const stages: Array<{ failpoint?: string; stream: boolean; content: string; expect: 'json-500' | 'sse-error' }> = [
    { failpoint: 'stream.head', stream: true, content: 'hello there', expect: 'json-500' },
    { failpoint: 'stream.first-chunk', stream: true, content: 'hello there', expect: 'sse-error' },
    { failpoint: 'stream.later-chunk', stream: true, content: 'hello there, a few words #slow', expect: 'sse-error' },
    { failpoint: 'complete.encode', stream: false, content: 'hello there', expect: 'json-500' },
    { stream: true, content: 'cut mid-stream #midstream-error', expect: 'sse-error' },
    { stream: true, content: 'reset mid-stream #reset', expect: 'sse-error' },
  ];
  for (const stage of stages) {
    it(`${stage.failpoint ?? stage.content}: the client gets an error it can read; slot, in-flight, reservation and usage row return to baseline`, async () => {
      const server = await startServer({
        env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_MAX_ATTEMPTS: '1', ...(stage.failpoint && { OPENSQ_FAILPOINTS: stage.failpoint }) },
      });
      try {
        const { id, key } = await createKey(server.url, { max_concurrency: 1, credits: 1 });
        const res = await http(`${server.url}/v1/chat/completions`, {
          headers: { authorization: `Bearer ${key}` },
          json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: stage.content }], stream: stage.stream },
        });
        if (stage.expect === 'json-500') {
          assert.ok(res.status >= 500, `${res.status} ${res.text.slice(0, 200)}`);
          assert.ok(res.json?.error?.code, `an OpenAI error body: ${res.text.slice(0, 200)}`);
        } else {
          assert.equal(res.status, 200);
          const lines = sseDataLines(res.text);
          assert.equal(lines.at(-1), '[DONE]');
          assert.ok(JSON.parse(lines.at(-2)!).error, `an error event before [DONE]: ${res.text.slice(-300)}`);
        }
        await assertSettled(server, 'openai/gpt-4o-mini', id, 1);
        const rows = await server.query(`SELECT status FROM usage WHERE key_id = '${id}'`);
        assert.deepEqual(rows.map((r) => r.status), ['error'], 'exactly one usage row, an error');
        // The slot is free: a request of the other kind (which this failpoint does not touch) is served.
        const next = await http(`${server.url}/v1/chat/completions`, {
          headers: { authorization: `Bearer ${key}` },
          json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }], stream: stage.failpoint ? !stage.stream : false },
        });
        assert.equal(next.status, 200, next.text.slice(0, 200));
      } finally {
        await server.stop();
      }
    });
  }
});
