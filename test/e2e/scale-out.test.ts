/**
 * Two instances on different ports against one Postgres and one Redis: one key driven through
 * both keeps its per-minute limit across them, and the ledger counts every request exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsPostgresAndRedis } from '../support/services.js';
import { createTestBackend, type TestBackend } from '../support/test-backend.js';

let upstream: FakeOpenAI;
let backend: TestBackend;
let a: ServerProcess;
let b: ServerProcess;

const chat = (server: ServerProcess, key: string, content = 'hi') =>
  http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: content.includes('stream') } });

describe('two instances, one Postgres and one Redis', { skip: needsPostgresAndRedis }, () => {
  before(async () => {
    upstream = await startFakeOpenAI();
    backend = await createTestBackend(true);
    const env = { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, ...backend.env };
    a = await startServer({ env });
    b = await startServer({ env });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await backend?.drop();
    await upstream?.close();
  });

  it("a key's per-minute limit holds across both, and the ledger has each request exactly once", async () => {
    assert.notEqual(a.url, b.url);
    const { id, key } = await createKey(a.url, { rpm: 10 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => chat(i % 2 === 0 ? a : b, key, i % 3 === 0 ? `stream ${i}` : `request ${i}`)));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 20);
    assert.ok(answers.filter((r) => r.status === 200).some((r) => r.headers['x-request-id']));

    const rows = await a.query(`SELECT request_id, status, error_code FROM usage WHERE key_id = '${id}'`);
    assert.equal(rows.length, 30, 'one row per request');
    assert.equal(new Set(rows.map((r) => r.request_id)).size, 30, 'no request counted twice');
    assert.equal(rows.filter((r) => r.status === 'ok').length, 10);
    const served = answers.filter((r) => r.status === 200).map((r) => String(r.headers['x-request-id']));
    for (const requestId of served) assert.ok(rows.some((r) => r.request_id === requestId), `no row for ${requestId}`);
    const totals = (await admin(b.url, 'GET', `/usage?key_id=${id}`)).json.totals;
    assert.deepEqual([totals.requests, totals.errors], [30, 20]);
  });

  it('concurrency and credits are shared too', async () => {
    const { key } = await createKey(b.url, { max_concurrency: 1 });
    const slow = http(`${a.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: '#slow hold the slot' }], stream: true } });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await chat(b, key)).status, 429);
    assert.equal((await slow).status, 200);
    assert.equal((await chat(b, key)).status, 200);

    const empty = await createKey(a.url, { credits: 0 });
    assert.equal((await chat(b, empty.key)).status, 402);
  });

  it('a key revoked on one instance is refused by the other at once (Redis pub/sub), though it had cached it', async () => {
    const { id, key } = await createKey(a.url, {});
    assert.equal((await chat(b, key)).status, 200);
    await admin(a.url, 'DELETE', `/keys/${id}`);
    assert.equal((await chat(a, key)).status, 401, 'at once where it was revoked');
    // Well inside the 5 s key cache: only the broadcast can have told b.
    const deadline = Date.now() + 1500;
    let status = 200;
    while (Date.now() < deadline && (status = (await chat(b, key)).status) === 200) await new Promise((r) => setTimeout(r, 250));
    assert.equal(status, 401);
  });
});
