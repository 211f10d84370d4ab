/**
 * Outside checks of credit that a dead process held. A request reserves its worst case from its
 * key's balance at admission and settles it with its usage row; an instance SIGKILLed mid-request
 * settles nothing. The next instance to start gives back what a dead process on its host held, and
 * what an instance elsewhere held once it expired, never what a live process holds. Runs on SQLite
 * and, with TEST_DATABASE=postgres, on Postgres (instances sharing one database).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { reservationOwner } from '../../src/limits/reservation-owner.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INITIAL = 10;

let upstream: FakeOpenAI;
let first: ServerProcess;
const later: ServerProcess[] = [];

/** Another instance on the first one's database. */
async function startAnother(): Promise<ServerProcess> {
  const server = await startServer({ env: first.env as Record<string, string>, dataDir: first.dataDir });
  later.push(server);
  return server;
}

async function balanceOf(server: ServerProcess, keyId: string): Promise<number> {
  return Number((await admin(server.url, 'GET', `/keys/${keyId}`)).json.credits);
}

/** Polls until the balance is `want` (the new instance sweeps as it starts, beside serving). */
async function balanceReaches(server: ServerProcess, keyId: string, want: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let balance = await balanceOf(server, keyId);
  while (Math.abs(balance - want) > 1e-9 && Date.now() < deadline) {
    await sleep(100);
    balance = await balanceOf(server, keyId);
  }
  return balance;
}

describe('credit held by an instance that died', () => {
  before(async () => {
    upstream = await startFakeOpenAI();
    first = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY } });
  });
  after(async () => {
    for (const server of later.reverse()) await server.stop();
    await first?.stop();
    await upstream?.close();
  });

  it('an instance SIGKILLed mid-stream: the next one to start gives its reservation back', { timeout: 60_000 }, async () => {
    const { id, key } = await createKey(first.url, { credits: INITIAL });
    // A stream that stalls after its first words: the request is admitted and holds its reservation.
    const stream = request(`${first.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'tell me #stall' }] }),
    }).then(
      (res) => res.body.text().catch(() => 'cut'),
      () => 'cut',
    );
    const deadline = Date.now() + 10_000;
    while ((await balanceOf(first, id)) === INITIAL && Date.now() < deadline) await sleep(50);
    const held = INITIAL - (await balanceOf(first, id));
    assert.ok(held > 0, 'the stream reserved credit');
    await first.kill9();
    await stream;

    const next = await startAnother();
    const balance = await balanceReaches(next, id, INITIAL);
    assert.equal(balance, INITIAL, `the dead instance held ${held}; the balance is still short by ${INITIAL - balance}`);
    assert.equal((await next.query(`SELECT id FROM usage WHERE key_id = '${id}'`)).length, 0, 'the dead instance wrote no usage row');
    assert.equal((await next.query(`SELECT id FROM credit_reservations WHERE key_id = '${id}'`)).length, 0, 'no reservation left open');
  });

  it('gives back what a dead process on this host held and what expired elsewhere; never what a live holder or an unexpired one elsewhere holds', { timeout: 60_000 }, async () => {
    const running = later[0] ?? (await startAnother());
    const { id } = await createKey(running.url, { credits: INITIAL });
    const here = reservationOwner().id; // this test process: alive, on this host
    const [host] = here.split('|');
    const exited = spawnSync(process.execPath, ['-e', '']).pid; // a process of this host that is gone
    const now = Date.now();
    const rows: Array<[owner: string, amount: number, expiresAt: number, returned: boolean]> = [
      [`${host}|${exited}|aaaaaaaaaaaa`, 1, now + 3_600_000, true],
      ['elsewhere#pid:[1]|4242|bbbbbbbbbbbb', 0.5, now - 1000, true],
      ['elsewhere#pid:[1]|4243|cccccccccccc', 2, now + 3_600_000, false],
      [here, 0.25, now + 3_600_000, false],
      // Hostile holder strings: not known dead, so held until they expire.
      ['no separators at all', 0.125, now + 3_600_000, false],
      [`${host}|-1|dddddddddddd`, 0.0625, now + 3_600_000, false],
    ];
    let taken = 0;
    for (const [owner, amount, expiresAt] of rows) {
      taken += amount;
      await running.query(`INSERT INTO credit_reservations (key_id, amount, owner, expires_at) VALUES ('${id}', ${amount}, '${owner}', ${expiresAt})`);
    }
    await running.query(`UPDATE api_keys SET credits = credits - ${taken} WHERE id = '${id}'`);
    const returned = rows.filter((r) => r[3]).reduce((sum, r) => sum + r[1], 0);

    // Two instances start at once: each sweeps, and each reservation comes back once.
    const [a] = await Promise.all([startAnother(), startAnother()]);
    const balance = await balanceReaches(a, id, INITIAL - taken + returned);
    await sleep(500);
    assert.equal(await balanceOf(a, id), balance, 'nothing given back twice');
    assert.equal(balance, INITIAL - taken + returned, `given back ${balance - (INITIAL - taken)} of ${taken}; expected ${returned}`);
    const left = (await a.query(`SELECT owner FROM credit_reservations WHERE key_id = '${id}' ORDER BY amount`)).map((r) => r.owner);
    assert.deepEqual(left, rows.filter((r) => !r[3]).sort((x, y) => x[1] - y[1]).map((r) => r[0]));
  });
});
