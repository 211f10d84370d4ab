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

const FAILED = /opensq_requests_total\{[^}]*status="error"\} 3/;

/**
 * What the workers say of the deployment, asked on fresh connections (the primary spreads them
 * over the workers): `failed` for the worker that saw the three failures, `other` for the rest.
 */
async function coolingSeenByWorkers(server: ServerProcess): Promise<Array<{ worker: 'failed' | 'other'; cooling: string }>> {
  const seen = [];
  for (let i = 0; i < 40 && (i < 10 || new Set(seen.map((s) => s.worker)).size < 2); i++) {
    const text = (await http(`${server.url}/metrics`, { headers: { connection: 'close' } })).text;
    seen.push({ worker: FAILED.test(text) ? ('failed' as const) : ('other' as const), cooling: COOLING.exec(text)?.[1] ?? 'absent' });
  }
  return seen;
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
    assert.ok((await coolingSeenByWorkers(server)).every((s) => s.cooling === '0'));
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
    const seen = await coolingSeenByWorkers(server);
    assert.ok(seen.some((s) => s.worker === 'failed') && seen.some((s) => s.worker === 'other'), `both workers answered: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.filter((s) => s.cooling !== '1'), [], 'every worker skips the deployment');

    // Both workers replaced: the new ones saw no failure, and learn of the cooldown from the primary.
    const originals = workersOf(server);
    for (const [i, pid] of originals.entries()) {
      process.kill(Number(pid), 'SIGKILL');
      await waitFor('a worker in its place, listening', () => (server.output().match(/listening on/g) ?? []).length >= 3 + i, 20_000);
    }
    const renewed = await coolingSeenByWorkers(server);
    assert.deepEqual(renewed.filter((s) => s.cooling !== '1'), [], 'workers started later skip it too');
    assert.ok(renewed.every((s) => s.worker === 'other'));
  });
});
