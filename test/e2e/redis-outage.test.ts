/**
 * Redis restarted mid-load, with a key whose limits live in Redis: while it is down, requests get a
 * quick 503 limits_unavailable (or are served without those limits when OPENSQ_LIMITS_FAIL_OPEN is
 * set), never a 500 nor a hang; once it is back, everything recovers without restarting OpenSq.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { freePort, startRedis, stopRedis } from '../support/redis-server.js';
import { needsRedisServer } from '../support/services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


interface Outcome {
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
  ms: number;
}

async function ask(server: ServerProcess, text: string): Promise<Outcome> {
  const started = performance.now();
  const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] } });
  return { status: res.status, code: res.json?.error?.code, retryAfter: res.headers['retry-after'] as string | undefined, ms: performance.now() - started };
}

/** Keeps `workers` requests in flight against each server until stopped, keeping every outcome. */
function load(servers: ServerProcess[], workers = 2) {
  const outcomes = new Map<ServerProcess, Outcome[]>(servers.map((s) => [s, []]));
  let running = true;
  let n = 0;
  const done = Promise.all(
    servers.flatMap((server) =>
      Array.from({ length: workers }, async () => {
        while (running) outcomes.get(server)!.push(await ask(server, `load ${n++}`));
      }),
    ),
  );
  return {
    outcomes,
    /** What each server answered since the last mark. */
    mark: () => new Map([...outcomes].map(([s, list]) => [s, list.splice(0)])),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const summary = (list: Outcome[]) => {
  const by: Record<string, number> = {};
  for (const o of list) by[`${o.status}${o.code ? ` ${o.code}` : ''}`] = (by[`${o.status}${o.code ? ` ${o.code}` : ''}`] ?? 0) + 1;
  return `${JSON.stringify(by)}, slowest ${Math.round(Math.max(0, ...list.map((o) => o.ms)))} ms`;
};

describe('Redis restarted mid-load', { skip: needsRedisServer }, () => {
  let upstream: FakeOpenAI;
  let redis: ChildProcess | undefined;
  let port: number;
  let strict: ServerProcess;
  let open: ServerProcess;

  before(async () => {
    upstream = await startFakeOpenAI();
    port = await freePort();
    redis = await startRedis(port);
    const env = {
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: upstream.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      OPENSQ_REDIS_PREFIX: `outage-${process.pid}:`,
      // The public key's limits: kept in Redis, so every request needs it.
      OPENSQ_ANONYMOUS_RPM: '1000000',
      OPENSQ_ANONYMOUS_CONCURRENCY: '1000',
      LOG_LEVEL: 'info',
    };
    strict = await startServer({ env });
    open = await startServer({ env: { ...env, OPENSQ_LIMITS_FAIL_OPEN: '1' } });
  });
  after(async () => {
    await strict?.stop();
    await open?.stop();
    await stopRedis(redis);
    await upstream?.close();
  });

  it('holds two connections per instance: commands (publishing too) and one subscriber for every channel', async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`);
    try {
      const clients = String(await probe.client('LIST')).trim().split('\n');
      assert.equal(clients.length - 1, 4, `two instances, two connections each:\n${clients.join('\n')}`);
      assert.equal(clients.filter((c) => / sub=2 /.test(c)).length, 2, 'one subscriber per instance, on both channels');
    } finally {
      probe.disconnect();
    }
  });

  it('answers 503 limits_unavailable at once (or serves, failing open), then recovers by itself', { timeout: 60_000 }, async (t) => {
    const traffic = load([strict, open]);
    await sleep(500);
    const up = traffic.mark();
    await stopRedis(redis);
    await sleep(3000);
    const down = traffic.mark();
    redis = await startRedis(port);
    // ioredis reconnects on its own, backing off up to a couple of seconds between tries.
    await sleep(4000);
    traffic.mark();
    await sleep(1000);
    const back = traffic.mark();
    await traffic.stop();

    for (const [name, server] of [['strict', strict], ['fail-open', open]] as const) {
      t.diagnostic(`${name}: up ${summary(up.get(server)!)}; Redis down ${summary(down.get(server)!)}; back ${summary(back.get(server)!)}`);
    }
    for (const server of [strict, open]) {
      assert.ok(up.get(server)!.length > 0 && up.get(server)!.every((o) => o.status === 200), `served while Redis was up: ${summary(up.get(server)!)}`);
      assert.ok(back.get(server)!.length > 0 && back.get(server)!.every((o) => o.status === 200), `served again once Redis was back, without a restart: ${summary(back.get(server)!)}`);
      const all = [...traffic.outcomes.get(server)!, ...up.get(server)!, ...down.get(server)!, ...back.get(server)!];
      assert.ok(all.every((o) => o.status !== 500), 'never a 500');
      assert.ok(all.every((o) => o.ms < 1500), `no request hung on Redis: ${summary(all)}`);
    }
    const strictDown = down.get(strict)!;
    assert.ok(strictDown.length >= 10, `requests kept being answered while Redis was down: ${summary(strictDown)}`);
    assert.ok(strictDown.some((o) => o.status === 503), `a 503 while Redis was down: ${summary(strictDown)}`);
    for (const o of strictDown) {
      assert.ok(o.status === 200 || (o.status === 503 && o.code === 'limits_unavailable' && /^\d+$/.test(o.retryAfter ?? '')), `either served (before it noticed) or 503 limits_unavailable with Retry-After: ${JSON.stringify(o)}`);
    }
    const openDown = down.get(open)!;
    assert.ok(openDown.length >= 10 && openDown.every((o) => o.status === 200), `failing open serves throughout: ${summary(openDown)}`);
    const warned = open.output().split('\n').filter((l) => l.includes('limits_fail_open'));
    assert.equal(warned.length, 1, `the fail-open outage is logged once:\n${warned.join('\n')}`);
  });
});
