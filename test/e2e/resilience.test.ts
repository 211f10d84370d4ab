/**
 * Routing and resilience through the public surface, against fault-injecting fake upstreams:
 * retries, Retry-After, fallbacks, timeouts, cancellation, cooldowns, concurrency caps, metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http, sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsRedis, REDIS_URL } from '../support/services.js';

// undici enforces first-byte and idle timeouts with a timer of about one second's resolution.
const TIMEOUTS = '{ first_byte_ms: 1000, idle_ms: 1000, total_ms: 10000 }';

function config(a: FakeOpenAI, b: FakeOpenAI): string {
  return `providers:
  a:
    type: openai-compatible
    base_url: ${a.url}
    api_key: ${FAKE_KEY}
    timeouts: ${TIMEOUTS}
  b:
    type: openai-compatible
    base_url: ${b.url}
    api_key: ${FAKE_KEY}
    timeouts: ${TIMEOUTS}
  rated:
    type: openai-compatible
    base_url: ${a.url}
    api_key: ${FAKE_KEY}
models:
  solo:
    deployments: [ { provider: a, model: gpt-4o-mini } ]
  duo:
    deployments: [ { provider: a, model: gpt-4o-mini, priority: 0 }, { provider: b, model: gpt-4o, priority: 1 } ]
  capped:
    deployments: [ { provider: a, model: gpt-4o-mini, priority: 0, max_concurrency: 1 }, { provider: b, model: gpt-4o, priority: 1 } ]
  short-total:
    timeouts: { total_ms: 600 }
    deployments: [ { provider: a, model: gpt-4o-mini } ]
  limited:
    deployments: [ { provider: rated, model: gpt-4o-mini } ]
  one-slot:
    deployments: [ { provider: rated, model: gpt-4o, max_concurrency: 1 } ]
`;
}

const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });
const count = (fake: FakeOpenAI, text: string) => fake.requests.filter((r) => JSON.stringify(r.body).includes(text)).length;

describe('resilience', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  let server: ServerProcess;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    server = await startServer({ config: config(a, b) });
  });
  after(async () => {
    await server?.stop();
    await a?.close();
    await b?.close();
  });

  it('retries a deployment that fails twice, then serves; headers tell the attempts', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('solo', 'retry me #flaky2') });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-opensq-attempts'], '3');
    assert.equal(res.headers['x-opensq-deployment'], 'a/gpt-4o-mini');
    assert.equal(count(a, 'retry me #flaky2'), 3);
  });

  it('gives up after the attempt budget with the upstream error', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('solo', 'always broken #fail-500') });
    assert.equal(res.status, 502);
    assert.equal(count(a, 'always broken #fail-500'), 3);
  });

  it('honours a short Retry-After before retrying', async () => {
    const started = performance.now();
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('limited', 'wait for me #retry-after-1') });
    const elapsed = performance.now() - started;
    assert.equal(res.status, 429, 'every attempt is rate limited');
    assert.ok(elapsed >= 1900, `waited ${elapsed} ms for two Retry-After: 1`);
  });

  it('returns a Retry-After longer than the cap to the client at once', async () => {
    const started = performance.now();
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('limited', 'slow down #rate-limit') });
    assert.equal(res.status, 429);
    assert.equal(res.json.error.code, 'upstream_rate_limited', "the upstream's limit, not the gateway's");
    assert.equal(res.json.error.type, 'rate_limit_error');
    assert.equal(res.headers['retry-after'], '7');
    assert.ok(performance.now() - started < 1000);
    assert.equal(count(a, 'slow down #rate-limit'), 1);
  });

  it('does not retry a client error', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', 'bad params #bad-request') });
    assert.equal(res.status, 400);
    assert.equal(count(a, 'bad params #bad-request') + count(b, 'bad params #bad-request'), 1);
  });

  it('falls back to the next deployment at once, streaming or not', async () => {
    a.failWith = 503;
    for (const stream of [false, true]) {
      const text = `fall back ${stream}`;
      const started = performance.now();
      const res = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', text, { stream }) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['x-opensq-deployment'], 'b/gpt-4o');
      assert.equal(res.headers['x-opensq-attempts'], '2');
      assert.ok(performance.now() - started < 500, 'no backoff before a different deployment');
      if (stream) assert.equal(sseDataLines(res.text).at(-1), '[DONE]');
      else assert.equal(res.json.model, 'duo');
    }
    a.failWith = undefined;
  });

  it('falls back when the upstream answers malformed JSON', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', 'garbled #bad-json') });
    assert.equal(res.status, 502, 'both deployments garble it');
    assert.equal(count(a, 'garbled #bad-json'), 2);
    assert.equal(count(b, 'garbled #bad-json'), 1);
  });

  it('times out an upstream that never sends headers, after each attempt', async () => {
    const started = performance.now();
    const solo = await http(`${server.url}/v1/chat/completions`, { json: chat('solo', 'silence #hang') });
    assert.equal(solo.status, 504);
    assert.equal(solo.json.error.code, 'upstream_timeout');
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 2900 && elapsed < 8000, `three attempts of about 1 s plus backoff, took ${elapsed} ms`);
  });

  it('ends a stream that stalls midway with an error event and [DONE] after the idle timeout', async () => {
    const started = performance.now();
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('solo', 'stall #stall now', { stream: true }) });
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    assert.equal(JSON.parse(lines.at(-2)!).error.code, 'upstream_timeout');
    assert.ok(performance.now() - started < 4000);
  });

  it('ends a stream that outlives the total timeout with an error event and [DONE]', async () => {
    const started = performance.now();
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('short-total', '#slow this answer is long enough to take more than six hundred milliseconds to trickle out', { stream: true }) });
    const lines = sseDataLines(res.text);
    assert.equal(lines.at(-1), '[DONE]');
    assert.match(JSON.parse(lines.at(-2)!).error.message, /total timeout/);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 550 && elapsed < 1500, `${elapsed} ms`);
  });

  it('a client that disconnects aborts the upstream promptly and leaves a cancelled row', async () => {
    const text = 'cancel me #slow please trickle for a good while so there is time to hang up on you';
    const controller = new AbortController();
    const res = await request(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat('solo', text, { stream: true })),
      signal: controller.signal,
    });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    await reader.next();
    const abortedAt = performance.now();
    controller.abort();
    await reader.return?.();
    const upstream = a.requests.find((r) => JSON.stringify(r.body).includes(text))!;
    for (let i = 0; i < 50 && upstream.closedAt === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(upstream.closedAt !== undefined, 'the upstream request was closed');
    const lag = upstream.closedAt! - abortedAt;
    assert.ok(lag < 100, `upstream aborted ${lag.toFixed(1)} ms after the client left`);
    await new Promise((r) => setTimeout(r, 100));
    const [row] = await server.query("SELECT * FROM usage WHERE model = 'solo' AND status = 'cancelled'");
    assert.ok(row, 'a cancelled usage row');
    assert.ok(row.completion_tokens > 0, 'with the tokens seen so far');
  });

  it('a deployment at its concurrency cap sends the next request elsewhere', async () => {
    const slow = http(`${server.url}/v1/chat/completions`, { json: chat('capped', 'hold the slot #slow for a while longer', { stream: true }) });
    await new Promise((r) => setTimeout(r, 100));
    const second = await http(`${server.url}/v1/chat/completions`, { json: chat('capped', 'second one') });
    assert.equal(second.headers['x-opensq-deployment'], 'b/gpt-4o');
    assert.equal((await slow).headers['x-opensq-deployment'], 'a/gpt-4o-mini');
  });

  it('a model whose every deployment is at its concurrency cap answers 503 model_unavailable, not panic', async () => {
    const slow = http(`${server.url}/v1/chat/completions`, { json: chat('one-slot', 'hold the only slot #slow for a while longer', { stream: true }) });
    await new Promise((r) => setTimeout(r, 100));
    const second = await http(`${server.url}/v1/chat/completions`, { json: chat('one-slot', 'no room') });
    assert.equal(second.status, 503);
    assert.equal(second.json.error.code, 'model_unavailable');
    assert.equal(second.headers['retry-after'], '1');
    assert.equal((await slow).status, 200);
  });

  it('/metrics reports requests, errors, latency, retries, fallbacks and deployment state', async () => {
    const res = await http(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    for (const name of ['opensq_requests_total', 'opensq_errors_total', 'opensq_request_duration_seconds_bucket', 'opensq_time_to_first_token_seconds_bucket', 'opensq_retries_total', 'opensq_fallbacks_total', 'opensq_deployment_cooling']) {
      assert.match(res.text, new RegExp(`^${name}`, 'm'), name);
    }
    assert.match(res.text, /opensq_fallbacks_total\{from="a\/gpt-4o-mini",to="b\/gpt-4o"\} [1-9]/);
    assert.match(res.text, /opensq_errors_total\{endpoint="chat.completions",code="upstream_timeout"\} [1-9]/);
  });
});

describe('cooldown', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  let server: ServerProcess;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    server = await startServer({ config: config(a, b), env: { OPENSQ_COOLDOWN_FAILURES: '3', OPENSQ_COOLDOWN_MS: '1500', OPENSQ_MAX_ATTEMPTS: '2' } });
  });
  after(async () => {
    await server?.stop();
    await a?.close();
    await b?.close();
  });

  it('skips a failing deployment while it cools down, routes a fully cooling model in panic, then probes it', async () => {
    a.failWith = 500;
    for (let i = 0; i < 3; i++) {
      const res = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', `break a ${i}`) });
      assert.equal(res.headers['x-opensq-deployment'], 'b/gpt-4o');
    }
    a.failWith = undefined;
    const before = a.requests.length;
    const res = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', 'while cooling') });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-opensq-attempts'], '1');
    assert.equal(res.headers['x-opensq-deployment'], 'b/gpt-4o');
    assert.equal(a.requests.length, before, 'the cooling deployment got no traffic');

    const catalog = await http(`${server.url}/ai/models`);
    assert.equal(catalog.json.models.solo.status, 'down', 'every deployment of solo is cooling');
    assert.equal(catalog.json.models.duo.status, 'work');
    const cooling = await http(`${server.url}/metrics`);
    assert.match(cooling.text, /opensq_deployment_cooling\{deployment="a\/gpt-4o-mini"\} 1/);
    const panicked = await http(`${server.url}/v1/chat/completions`, { json: chat('solo', 'anyone?'), headers: { origin: 'https://chat.example' } });
    assert.equal(panicked.status, 200, 'a model whose every deployment cools is routed to the one that ends first, not refused');
    assert.equal(panicked.headers['x-opensq-panic'], '1');
    assert.match(String(panicked.headers['access-control-expose-headers']), /x-opensq-panic/, 'browsers may read it');
    assert.equal(res.headers['x-opensq-panic'], undefined, 'a model with a healthy deployment is no panic');
    const metrics = await http(`${server.url}/metrics`);
    assert.match(metrics.text, /opensq_panic_routes_total\{model="solo",deployment="a\/gpt-4o-mini"\} 1/);

    await new Promise((r) => setTimeout(r, 1700));
    const probe = await http(`${server.url}/v1/chat/completions`, { json: chat('duo', 'probe after cooldown') });
    assert.equal(probe.headers['x-opensq-deployment'], 'a/gpt-4o-mini', 'the recovered deployment takes traffic again');
    assert.equal((await http(`${server.url}/ai/models`)).json.models.solo.status, 'work');
  });
});

describe('cooldown shared through Redis', { skip: needsRedis }, () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  const servers: ServerProcess[] = [];
  // A provider name of this run only, so keys left in Redis by other runs cannot interfere.
  const name = `shared${process.pid}`;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    const cfg = `providers:
  ${name}:
    type: openai-compatible
    base_url: ${a.url}
    api_key: ${FAKE_KEY}
  backup:
    type: openai-compatible
    base_url: ${b.url}
    api_key: ${FAKE_KEY}
models:
  duo:
    deployments: [ { provider: ${name}, model: gpt-4o-mini, priority: 0 }, { provider: backup, model: gpt-4o, priority: 1 } ]
`;
    // One Redis prefix for both instances (and only them): that is what makes them one deployment.
    const env = {
      REDIS_URL,
      OPENSQ_REDIS_PREFIX: `opensq-test-${process.pid}-${Date.now()}:`,
      OPENSQ_COOLDOWN_FAILURES: '3',
      OPENSQ_COOLDOWN_MS: '3000',
      OPENSQ_MAX_ATTEMPTS: '2',
    };
    servers.push(await startServer({ config: cfg, env }), await startServer({ config: cfg, env }));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await a?.close();
    await b?.close();
  });

  it('a deployment cooled down by one instance is skipped by the other at once', async () => {
    const [first, second] = servers;
    a.failWith = 500;
    for (let i = 0; i < 3; i++) await http(`${first.url}/v1/chat/completions`, { json: chat('duo', `trip ${i}`) });
    a.failWith = undefined;
    await new Promise((r) => setTimeout(r, 100));
    const before = a.requests.length;
    const res = await http(`${second.url}/v1/chat/completions`, { json: chat('duo', 'second instance') });
    assert.equal(res.headers['x-opensq-deployment'], 'backup/gpt-4o');
    assert.equal(a.requests.length, before, 'the second instance never tried the cooling deployment');
  });
});
