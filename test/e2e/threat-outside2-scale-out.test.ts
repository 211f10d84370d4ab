/**
 * Outside checks of scale-out mode (Postgres and Redis): Redis dropping the gateway's connection
 * (CLIENT KILL, with no new connection taken for a moment: a partition) while a request holds a
 * key's concurrency slot. The slot is freed when the request
 * settles; a release sent while the connection is down used to be lost, leaving a key with
 * max_concurrency 1 refused (429) for the slot's whole TTL of 15 minutes, and a busier key one slot
 * short for as long as it stayed busy (each take renewed the counter's TTL). Now the release is
 * sent again once ioredis has reconnected, and each hold expires on its own.
 * And Postgres held up by a lock on the usage table: every answer waits for its usage row, so no
 * request of any key can complete; /ready used to say "ready" throughout, and now answers 503
 * once a usage write has waited five seconds, and "ready" again once it went through.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { metricValue } from '../support/metrics.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { freePort, startRedis } from '../support/redis-server.js';
import { needsPostgres, needsRedisServer } from '../support/services.js';
import { createTestBackend, type TestBackend } from '../support/test-backend.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** An OpenAI-wire upstream whose streams send one chunk, then wait for `finish()`. */
interface HeldUpstream {
  url: string;
  waiting(): number;
  finish(): void;
  close(): Promise<void>;
}

async function startHeldUpstream(): Promise<HeldUpstream> {
  const held: ServerResponse[] = [];
  const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'hel' }, null));
      held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    waiting: () => held.length,
    finish: () => {
      for (const res of held.splice(0)) res.end(`${chunk({ content: 'lo' }, 'stop')}data: [DONE]\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const skip = needsPostgres || needsRedisServer;
let upstream: HeldUpstream;
let backend: TestBackend;
let redis: ChildProcess;
let redisUrl: string;
let server: ServerProcess;

describe('scale-out: Redis drops the connection while a request holds a concurrency slot', { skip }, () => {
  before(async () => {
    upstream = await startHeldUpstream();
    backend = await createTestBackend(true);
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    redis = await startRedis(Number(new URL(redisUrl).port));
    server = await startServer({ env: { ...backend.env, REDIS_URL: redisUrl, OPENAI_API_KEY: 'sk-held', OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_MAX_ATTEMPTS: '1' } });
  });
  after(async () => {
    await server?.stop();
    redis?.kill('SIGKILL');
    await backend?.drop();
    await upstream?.close();
  });

  it('the slot is freed once Redis is back: the key is served again, not refused for 15 minutes', { timeout: 30_000 }, async () => {
    const { key } = await createKey(server.url, { max_concurrency: 1, credits: 10 });
    const chat = () => http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] } });
    const first = chat();
    while (upstream.waiting() === 0) await sleep(10);
    const probe = new Redis(redisUrl);
    try {
      const self = String(await probe.client('ID'));
      const clients = String(await probe.client('LIST')).trim().split('\n');
      // The gateway's command connection (its subscriber has sub=1 or more), not this probe.
      const commands = clients.filter((c) => / sub=0 /.test(c) && !c.startsWith(`id=${self} `)).map((c) => /^id=(\d+) /.exec(c)![1]);
      assert.equal(commands.length, 1, clients.join('\n'));
      // A partition: the connection drops and Redis takes no new one (only the probe and the
      // gateway's subscriber stay) until the request has settled.
      await probe.config('SET', 'maxclients', '2');
      await probe.client('KILL', 'ID', commands[0]);
      upstream.finish();
      const res = await first;
      assert.equal(res.status, 200);
      assert.match(res.text, /\[DONE\]/);
      await sleep(300);
      await probe.config('SET', 'maxclients', '10000');
    } finally {
      probe.disconnect();
    }
    // ioredis reconnects within a second or two.
    const ask = async () => {
      let settled = false;
      const next = chat().finally(() => {
        settled = true;
      });
      while (!settled && upstream.waiting() === 0) await sleep(10);
      upstream.finish();
      return next;
    };
    let second = await ask();
    for (let i = 0; i < 12 && second.status !== 200; i++) {
      await sleep(250);
      second = await ask();
    }
    assert.equal(second.status, 200, `the key is still refused: ${second.text.slice(0, 300)}`);
  });

  it('the server is alive and honest afterwards: health, readiness, nothing in flight, no error-level log line', async () => {
    upstream.finish();
    await sleep(300);
    assert.equal((await http(`${server.url}/health`)).status, 200);
    assert.equal((await http(`${server.url}/ready`)).status, 200);
    assert.equal(await metricValue(server.url, 'opensq_requests_in_flight'), 0);
    assert.ok(!server.output().includes('"level":50'), server.output().split('\n').find((l) => l.includes('"level":50'))?.slice(0, 400));
  });
});

describe('scale-out: a lock on the usage table holds up every answer', { skip: needsPostgres }, () => {
  let openai: FakeOpenAI;
  let pgBackend: TestBackend;
  let gateway: ServerProcess;
  before(async () => {
    openai = await startFakeOpenAI();
    pgBackend = await createTestBackend(true);
    gateway = await startServer({ env: { ...pgBackend.env, OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: openai.url } });
  });
  after(async () => {
    await gateway?.stop();
    await pgBackend?.drop();
    await openai?.close();
  });

  it('/ready answers 503 while a usage write is stuck, promptly, and ready again once it went through', { timeout: 30_000 }, async () => {
    const ready = async () => {
      const started = performance.now();
      const res = await http(`${gateway.url}/ready`);
      assert.ok(performance.now() - started < 3_000, `/ready took ${Math.round(performance.now() - started)} ms`);
      return res.status;
    };
    assert.equal(await ready(), 200);
    const locker = new pg.Client({ connectionString: pgBackend.env.DATABASE_URL });
    await locker.connect();
    let answer: Promise<{ status: number }> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE usage IN ACCESS EXCLUSIVE MODE');
      answer = http(`${gateway.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'held by the lock' }] } });
      let status = 200;
      for (let i = 0; i < 40 && status === 200; i++) {
        await sleep(250);
        status = await ready();
      }
      assert.equal(status, 503, 'still "ready" while no answer can complete');
      assert.equal((await http(`${gateway.url}/health`)).status, 200, 'the process itself is up');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    assert.equal((await answer!).status, 200, 'the held request is answered once the lock is gone');
    let status = 503;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = await ready();
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'ready again');
    const rows = await gateway.query("SELECT endpoint FROM usage");
    assert.equal(rows.length, 1, `one usage row for the held request: ${JSON.stringify(rows)}`);
  });
});
