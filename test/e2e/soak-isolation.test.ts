/**
 * Failure isolation under load (issue 13): request-specific poison (the same prompt's stream is cut
 * after two chunks, every time), requests refused with 429 and a short Retry-After and an
 * upstream-wide 429 storm, slow-reading clients
 * and clients that cancel, against a model with a single deployment and one with two, with the
 * breaker at its defaults. Every servable request is served, no request gets a 503 because of
 * another request's fault, and nothing is a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { DEFAULT_COOLDOWN } from '../../src/routing/deployment-health.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { sseDataLines } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const TOTAL = Number(process.env.SOAK_ISOLATION_TOTAL ?? 2000);
const CONCURRENCY = 16;

type Kind = 'plain' | 'poison' | 'storm' | 'slow-reader' | 'cancel';

/** Per hundred requests: 3 poison, 2 in a 429 storm, 3 slow readers, 3 cancels, the rest plain; even ones to solo. */
const KINDS = new Map<number, Kind>([
  [7, 'poison'], [40, 'poison'], [73, 'poison'],
  [11, 'storm'], [62, 'storm'],
  [19, 'slow-reader'], [52, 'slow-reader'], [85, 'slow-reader'],
  [27, 'cancel'], [60, 'cancel'], [93, 'cancel'],
]);
const kindOf = (i: number): Kind => KINDS.get(i % 100) ?? 'plain';

const TEXT: Record<Kind, (i: number) => string> = {
  plain: (i) => `isolation ${i}`,
  // One prompt, always cut (a stream after two chunks, an answer midway): the upstream cannot
  // answer it, whoever sends it and however often.
  poison: () => 'the poison prompt #reset #bad-json',
  storm: (i) => `storm ${i} #retry-after-1`,
  'slow-reader': (i) => `slow reader ${i}`,
  cancel: (i) => `cancel ${i} #slow and a few more words to trickle`,
};

describe('soak: one request never takes a model down for the others', () => {
  let a: FakeOpenAI;
  let b: FakeOpenAI;
  let server: ServerProcess;

  before(async () => {
    a = await startFakeOpenAI();
    b = await startFakeOpenAI();
    const provider = (name: string, fake: FakeOpenAI) =>
      `  ${name}:\n    type: openai-compatible\n    base_url: ${fake.url}\n    api_key: ${FAKE_KEY}\n    timeouts: { first_byte_ms: 2000, idle_ms: 2000, total_ms: 8000 }\n`;
    server = await startServer({
      config: `providers:\n${provider('one', a)}${provider('left', a)}${provider('right', b)}models:
  solo:
    deployments: [ { provider: one, model: gpt-4o-mini } ]
  duo:
    deployments: [ { provider: left, model: gpt-4o-mini }, { provider: right, model: gpt-4o-mini } ]
`,
      // The breaker at its defaults (the test harness switches it off for functional suites).
      env: { OPENSQ_COOLDOWN_FAILURES: String(DEFAULT_COOLDOWN.failures), OPENSQ_COOLDOWN_MIN_REQUESTS: String(DEFAULT_COOLDOWN.minRequests) },
    });
  });
  after(async () => {
    await server?.stop();
    await a?.close();
    await b?.close();
  });

  it(`serves every servable request: a quiet spell, then ${TOTAL} requests with poison, 429 storms, slow readers and cancels`, { timeout: 120_000 }, async (t) => {
    const pool = new Pool(server.url, { connections: CONCURRENCY, headersTimeout: 20_000, bodyTimeout: 20_000 });
    const statuses = new Map<string, number>();
    const tally = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    const unserved: string[] = [];
    const wrong: string[] = [];
    let served = 0;

    async function send(i: number, kind: Kind, model: string): Promise<void> {
      const stream = kind === 'slow-reader' || kind === 'cancel' || i % 4 < 2;
      const text = TEXT[kind](i);
      const controller = new AbortController();
      const res = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: text }] }),
        signal: controller.signal,
      });
      if (kind === 'cancel') {
        // Hang up after the first bytes of the answer.
        for await (const _ of res.body) break;
        controller.abort();
        tally(`${res.statusCode} (cancelled)`);
        return;
      }
      let body = '';
      for await (const chunk of res.body) {
        body += chunk;
        if (kind === 'slow-reader') await new Promise((r) => setTimeout(r, 25));
      }
      const code = res.statusCode === 200 ? '' : ` ${JSON.parse(body).error?.code}`;
      tally(`${res.statusCode}${code}`);
      if (i < 0 && kind === 'plain' && res.headers['x-opensq-panic']) quietPanics.push(`${model} ${text}`);
      let ok = false;
      if (res.statusCode === 200 && stream) {
        const lines = sseDataLines(body);
        const error = lines.at(-2) && JSON.parse(lines.at(-2)!).error;
        if (lines.at(-1) !== '[DONE]') wrong.push(`${text}: stream without [DONE]`);
        if (error) tally(`200 then ${error.code}`);
        else ok = lines.slice(0, -1).map((l) => JSON.parse(l).choices[0]?.delta?.content ?? '').join('') === `Echo: ${text}`;
      } else if (res.statusCode === 200) {
        ok = JSON.parse(body).choices[0].message.content === `Echo: ${text}`;
      }
      if (ok) served++;
      const servable = kind === 'plain' || kind === 'slow-reader';
      if (servable && !ok) unserved.push(`${model} ${text}: ${res.statusCode} ${body.slice(0, 160)}`);
      if (kind === 'storm' && res.statusCode === 429) {
        if (JSON.parse(body).error.code !== 'upstream_rate_limited') wrong.push(`${text}: 429 ${body.slice(0, 160)}`);
        if (res.headers['retry-after'] !== '1') wrong.push(`${text}: retry-after ${res.headers['retry-after']}`);
      }
    }

    // A quiet spell, one request at a time: one poison request and one rate-limited one, then others
    // once the 429's pause is over; then the poison prompt three times (as the OpenAI SDK sends a
    // request that keeps failing: two retries), then others. None of it closes a deployment.
    const quietPanics: string[] = [];
    for (const model of ['solo', 'duo']) {
      await send(-1, 'poison', model);
      await send(-2, 'storm', model);
      await new Promise((r) => setTimeout(r, 1100));
      for (let i = 0; i < 6; i++) await send(-100 - i, 'plain', model);
      for (let i = 0; i < 3; i++) await send(-3, 'poison', model);
      for (let i = 6; i < 12; i++) await send(-100 - i, 'plain', model);
    }
    const of = (prefix: string) => [...statuses].filter(([k]) => k.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
    t.diagnostic(`quiet spell: ${served} of 24 plain requests served, ${of('503')} answered 503, ${quietPanics.length} routed in panic`);
    assert.deepEqual(quietPanics, [], 'no deployment was cooling down after the quiet spell');

    let next = 0;
    const storm = { from: Infinity, to: Infinity };
    async function worker(): Promise<void> {
      while (next < TOTAL) {
        const i = next++;
        // A 429 storm on the upstream of solo and of duo's first deployment, a third of the way in:
        // every request it gets is refused with Retry-After: 1 for 1.5 s.
        if (i === Math.floor(TOTAL / 3)) {
          a.failRetryAfter = '1';
          a.failWith = 429;
          storm.from = performance.now();
          setTimeout(() => {
            a.failWith = undefined;
            storm.to = performance.now();
          }, 1500);
        }
        await send(i, kindOf(i), i % 2 === 0 ? 'solo' : 'duo');
      }
    }
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    await pool.close();

    const panics = await metricValue(server.url, 'opensq_panic_routes_total', { model: 'solo' });
    t.diagnostic(`quiet spell + ${TOTAL} requests (load in ${seconds.toFixed(1)} s): ${served} served, ${of('503')} answered 503, ${of('500')} answered 500; panic routes on solo: ${panics}`);
    const refused = a.requests.filter((r) => r.receivedAt >= storm.from && r.receivedAt < storm.to).length;
    t.diagnostic(`the 429 storm refused ${refused} upstream requests in 1.5 s`);
    assert.ok(refused > 0, 'the storm hit');
    t.diagnostic(`by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.equal(of('503'), 0, 'no 503: no request lost its model to another request');
    assert.equal(of('500'), 0, 'no 500');
    assert.deepEqual(unserved.slice(0, 10), [], `every servable request was served (${unserved.length} were not)`);
    assert.deepEqual(wrong.slice(0, 10), [], "every failure said what it was: streams ended, upstream 429s as upstream_rate_limited with the upstream's Retry-After");
  });
});
