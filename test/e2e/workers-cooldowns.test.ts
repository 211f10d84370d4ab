/**
 * `serve --workers 2` without Redis: a deployment one worker cools down is skipped by every worker,
 * including a worker started after it cooled (a restarted one), as instances sharing Redis do.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const COOLING = /opensq_deployment_cooling\{deployment="[^"]*gpt-4o-mini"\} (\d)/;

const workersOf = (server: ServerProcess): string[] => spawnSync('pgrep', ['-P', String(server.proc.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PANICS = /opensq_panic_routes_total\{[^}]*gpt-4o-mini"\} (\d+)/;

/**
 * The deployment's cooling gauge in scrapes on fresh connections (the primary spreads them over the
 * workers). Each scrape folds every worker's gauge by its minimum: 1 only when every worker skips it.
 */
async function coolingScraped(server: ServerProcess): Promise<string[]> {
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const text = (await http(`${server.url}/metrics`, { headers: { connection: 'close' } })).text;
    seen.push(COOLING.exec(text)?.[1] ?? 'absent');
  }
  return seen;
}

/**
 * Requests on fresh connections, so every worker serves some; each one a worker sends to the
 * cooling deployment anyway is a panic route. They fail, as a success would end the cooldown.
 */
async function panicRoutes(server: ServerProcess, upstream: FakeOpenAI, requests: number): Promise<number> {
  const before = Number(PANICS.exec((await http(`${server.url}/metrics`)).text)?.[1] ?? 0);
  upstream.failWith = 500;
  try {
    for (let i = 0; i < requests; i++) await http(`${server.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `probe ${i}` }] } });
  } finally {
    upstream.failWith = undefined;
  }
  return Number(PANICS.exec((await http(`${server.url}/metrics`)).text)?.[1] ?? 0) - before;
}

describe('serve --workers without Redis: cooldowns', () => {
  let upstream: FakeOpenAI;
  let server: ServerProcess;
  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({
      env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_COOLDOWN_FAILURES: '3', OPENSQ_COOLDOWN_MS: '60000', OPENSQ_MAX_ATTEMPTS: '1' },
      args: ['--workers', '2'],
    });
    await waitFor('both workers', () => /worker 2 listening/.test(server.output()));
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('a deployment one worker cools down is cooling in every worker, a restarted one too', async () => {
    assert.deepEqual(await coolingScraped(server), Array(6).fill('0'));
    // Three failures on one keep-alive connection: one worker sees them all and cools the deployment.
    upstream.failWith = 500;
    const pool = new Pool(server.url, { connections: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `fail ${i}` }] }) });
        await res.body.dump();
        assert.equal(res.statusCode >= 500, true);
      }
    } finally {
      await pool.close();
      upstream.failWith = undefined;
    }
    assert.deepEqual(await coolingScraped(server), Array(6).fill('1'), 'every worker skips the deployment');
    assert.equal(await panicRoutes(server, upstream, 4), 4, 'every worker routes to it only in panic');

    // Both workers replaced: the new ones saw no failure, and learn of the cooldown from the primary.
    const originals = workersOf(server);
    for (const [i, pid] of originals.entries()) {
      process.kill(Number(pid), 'SIGKILL');
      await waitFor('a worker in its place, listening', () => (server.output().match(/listening on/g) ?? []).length >= 3 + i, 20_000);
    }
    assert.deepEqual(await coolingScraped(server), Array(6).fill('1'), 'workers started later skip it too');
    assert.equal(await panicRoutes(server, upstream, 4), 4);
  });
});
