/**
 * `serve --workers 2`: whichever worker a scrape of /metrics lands on, it reports the whole
 * cluster: counters and histograms summed over the workers, in-flight gauges too. And a
 * concurrency limit holds across the workers (the primary keeps the slots; rpm: cli.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The sum of every series of `name` whose labels match `labels` (a regex over the label text). */
function sumOf(text: string, name: string, labels = /.*/): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name && labels.test(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Scrapes on fresh connections, which the primary hands to the workers in turn, so every worker
 * answers some of them.
 */
async function scrapes(server: ServerProcess, count = 6): Promise<string[]> {
  const texts = [];
  for (let i = 0; i < count; i++) {
    const res = await http(`${server.url}/metrics`, { headers: { connection: 'close' } });
    assert.equal(res.status, 200, res.text);
    texts.push(res.text);
  }
  return texts;
}

describe('serve --workers 2: /metrics', () => {
  let upstream: FakeOpenAI;
  let server: ServerProcess;
  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url }, args: ['--workers', '2'] });
    await waitFor('both workers', () => /worker 2 listening/.test(server.output()));
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('every scrape counts every request, whichever worker served it', async () => {
    const N = 10;
    // Each request on its own connection: the primary alternates them over the two workers.
    for (let i = 0; i < N; i++) {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: CHAT });
      assert.equal(res.status, 200, res.text);
    }
    for (const text of await scrapes(server)) {
      assert.equal(sumOf(text, 'opensq_requests_total', /status="ok"/), N, text);
      assert.equal(sumOf(text, 'opensq_request_duration_seconds_count'), N);
      // Summed once, not once per worker: one HELP line per metric.
      assert.equal(text.split('\n').filter((l) => l.startsWith('# HELP opensq_requests_total ')).length, 1);
    }
  });

  it('in-flight gauges add up the workers', async () => {
    // Two streams that stall after their first chunks, on two connections: one on each worker.
    const abort = new AbortController();
    const streams = [];
    try {
      for (let i = 0; i < 2; i++) {
        const res = await request(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ ...CHAT, stream: true, messages: [{ role: 'user', content: `#stall ${i}` }] }),
          signal: abort.signal,
        });
        assert.equal(res.statusCode, 200);
        streams.push(res);
      }
      for (const text of await scrapes(server)) {
        assert.equal(sumOf(text, 'opensq_requests_in_flight'), 2, text);
        assert.equal(sumOf(text, 'opensq_deployment_in_flight', /gpt-4o-mini"/), 2);
        assert.equal(sumOf(text, 'opensq_deployment_cooling', /gpt-4o-mini"/), 0);
      }
    } finally {
      abort.abort();
      for (const res of streams) await res.body.dump().catch(() => {});
    }
  });

  it('a worker that cannot answer fails the scrape with a 503, never a hang', async () => {
    const [pid] = spawnSync('pgrep', ['-P', String(server.proc.pid)], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.ok(pid, 'a worker to stop');
    process.kill(Number(pid), 'SIGSTOP');
    const abort = new AbortController();
    try {
      // The stopped worker takes at most one of these connections; the others reach the live one.
      const answers = await Promise.all(
        Array.from({ length: 3 }, () =>
          request(`${server.url}/metrics`, { headers: { connection: 'close' }, signal: abort.signal }).then(
            async (res) => ({ status: res.statusCode, body: await res.body.text() }),
            () => undefined,
          ),
        ).map((p) => Promise.race([p, new Promise<undefined>((r) => setTimeout(r, 9000))])),
      );
      const answered = answers.filter((a) => a !== undefined);
      assert.ok(answered.length >= 1, 'the live worker answered');
      for (const a of answered) {
        assert.equal(a.status, 503, a.body);
        assert.equal(JSON.parse(a.body).error.code, 'metrics_unavailable');
      }
    } finally {
      abort.abort();
      process.kill(Number(pid), 'SIGCONT');
    }
    const texts = await scrapes(server, 4);
    assert.ok(texts.every((t) => sumOf(t, 'opensq_requests_total') >= 10));
  });
});

describe('serve --workers 2 without Redis: a concurrency limit', () => {
  let upstream: FakeOpenAI;
  let server: ServerProcess;
  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ANONYMOUS_CONCURRENCY: '1' }, args: ['--workers', '2'] });
    await waitFor('both workers', () => /worker 2 listening/.test(server.output()));
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('a slot held on one worker is held for the other, and freed when its client goes', async () => {
    const abort = new AbortController();
    const held = await request(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ ...CHAT, stream: true, messages: [{ role: 'user', content: '#stall hold the slot' }] }),
      signal: abort.signal,
    });
    assert.equal(held.statusCode, 200);
    try {
      // Fresh connections: the primary hands them to both workers.
      for (let i = 0; i < 4; i++) {
        const res = await http(`${server.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: CHAT });
        assert.equal(res.status, 429, res.text);
        assert.equal(res.json.error.code, 'rate_limit_exceeded');
      }
    } finally {
      abort.abort();
      await held.body.dump().catch(() => {});
    }
    let freed = 0;
    for (let i = 0; i < 40 && freed < 4; i++) {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: CHAT });
      freed = res.status === 200 ? freed + 1 : 0;
      if (res.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(freed, 4, 'once the held stream ends, both workers serve again');
  });
});
