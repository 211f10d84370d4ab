/**
 * Outside checks of `serve --workers 2` when a worker dies mid-stream (SIGKILL, as the kernel's
 * OOM killer would): the primary starts another; the streams the other worker serves finish
 * whole; /metrics answers and counts nothing in flight once they are done; the server keeps
 * serving. And what the dead worker's requests cost their key: each had reserved its worst case
 * from the balance; the worker started in its place returns what the dead one held.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const workerPids = (server: ServerProcess): number[] =>
  spawnSync('pgrep', ['-P', String(server.proc.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);

function inFlight(metrics: string): number {
  return Number(/^opensq_requests_in_flight (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
}

/** A slow stream on a connection of its own; its status and whole text, or 'cut'. */
function openStream(key: string): Promise<{ status: number; text: string }> {
  return request(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: 40, messages: [{ role: 'user', content: 'tell me #slow #long-answer' }] }),
  }).then(
    async (res) => ({ status: res.statusCode, text: await res.body.text().catch(() => 'cut') }),
    () => ({ status: 0, text: 'cut' }),
  );
}

let upstream: FakeOpenAI;
let server: ServerProcess;
let keyId: string;
let completed = 0;
const INITIAL_CREDITS = 10;

describe('serve --workers 2: a worker killed mid-stream', () => {
  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY }, args: ['--workers', '2'] });
    await waitFor('both workers', () => /worker 2 listening/.test(server.output()));
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('the other worker finishes its streams whole, the primary starts another worker, and metrics still answer', { timeout: 60_000 }, async () => {
    const { id, key } = await createKey(server.url, { credits: INITIAL_CREDITS });
    keyId = id;
    const [victim] = workerPids(server);
    assert.ok(victim, 'a worker to kill');
    // Fresh connections, opened apart: the primary hands a connection to the worker first in its
    // free list, and connections queued while a worker takes one all go to that worker, so a burst
    // of four would land on one worker (seen in CI). Spaced, they alternate.
    const streams: Array<Promise<{ status: number; text: string }>> = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) await sleep(100);
      streams.push(openStream(key));
    }
    await sleep(300);
    process.kill(victim, 'SIGKILL');
    const results = await Promise.all(streams);
    const whole = results.filter((r) => r.status === 200 && r.text.includes('data: [DONE]'));
    completed = whole.length;
    assert.ok(whole.length >= 1 && whole.length <= 3, `streams finished whole: ${results.map((r) => `${r.status} ${r.text.slice(-40)}`).join(' | ')}`);
    for (const r of whole) assert.match(r.text, /"finish_reason":"length"/, r.text.slice(-300));
    await waitFor('a new worker', () => /exited \(SIGKILL\); starting another/.test(server.output()) && workerPids(server).length === 2 && !workerPids(server).includes(victim));
    await waitFor('the new worker listening', () => (server.output().match(/listening on/g) ?? []).length >= 3);
    for (let i = 0; i < 4; i++) {
      const res = await http(`${server.url}/v1/chat/completions`, { headers: { connection: 'close' }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(res.status, 200, res.text);
      const metrics = await http(`${server.url}/metrics`, { headers: { connection: 'close' } });
      assert.equal(metrics.status, 200, metrics.text.slice(0, 200));
      assert.equal(inFlight(metrics.text), 0, 'nothing in flight');
    }
    const rows = await server.query(`SELECT id FROM usage WHERE key_id = '${keyId}'`);
    assert.equal(rows.length, completed, 'a usage row for each stream that finished (the dead worker could write none)');
  });

  it("the dead worker's requests leave the key's balance where their usage rows say", { timeout: 30_000 }, async () => {
    const rows = await server.query(`SELECT cost FROM usage WHERE key_id = '${keyId}'`);
    const billed = rows.reduce((sum, row) => sum + Number(row.cost), 0);
    let balance = Number.NaN;
    // The new worker returns the dead one's reservations as it starts; give it a moment.
    const deadline = Date.now() + 10_000;
    do {
      balance = Number((await admin(server.url, 'GET', `/keys/${keyId}`)).json.credits);
      if (Math.abs(INITIAL_CREDITS - billed - balance) < 1e-9) break;
      await sleep(200);
    } while (Date.now() < deadline);
    assert.ok(Math.abs(INITIAL_CREDITS - billed - balance) < 1e-9, `billed ${billed}, but the balance fell by ${INITIAL_CREDITS - balance}`);
    const open = await server.query('SELECT id FROM credit_reservations');
    assert.equal(open.length, 0, 'no reservation left open');
  });
});
