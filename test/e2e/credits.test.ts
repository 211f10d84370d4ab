/**
 * Credits: each request's cost is debited with its usage row, and many parallel requests on a
 * small balance never drive it below zero (see also threat-budgets.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  // A dear model, so one request costs about 0.003 credits.
  const config = ['models:', '  gpt-4o:', '    cost: { input: 100, output: 100 }', ''].join('\n');
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (key: string, stream: boolean) =>
  http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'spend' }], stream, ...(stream && { stream_options: { include_usage: true } }) } });

describe('credits', () => {
  it('parallel requests on a small balance: it ends at or above zero, too low for one more request, and matches the ledger', async () => {
    const initial = 0.02;
    const { id, key } = await createKey(server.url, { credits: initial });
    let served = 0;
    let refused = 0;
    for (let wave = 0; wave < 40; wave++) {
      const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => chat(key, i % 2 === 0)));
      for (const res of answers) {
        if (res.status === 200) served++;
        else {
          assert.equal(res.status, 402, res.text);
          assert.equal(res.json.error.code, 'insufficient_quota');
          refused++;
        }
      }
      if (answers.every((res) => res.status === 402)) break;
    }
    assert.ok(served >= 3, `served ${served}`);
    assert.ok(refused > 0);
    const usage = await admin(server.url, 'GET', `/usage?key_id=${id}&limit=1000`);
    const okRows = usage.json.data.filter((r: { status: string }) => r.status === 'ok');
    assert.equal(okRows.length, served, 'one ledger row per served request');
    const spent = okRows.reduce((sum: number, r: { cost: number }) => sum + r.cost, 0);
    const balance = (await admin(server.url, 'GET', `/keys/${id}`)).json.credits;
    assert.ok(balance >= 0, `the balance went below zero: ${balance}`);
    assert.ok(balance < initial / 2, `the balance was spent: ${balance}`);
    assert.ok(Math.abs(initial - spent - balance) < 1e-9, `debits ${spent} match the balance: ${initial} - ${spent} = ${balance}`);
    const again = await chat(key, false);
    assert.equal(again.status, 402);
  });

  it('a key without a credit limit is never refused for credit; a top-up re-opens an empty key', async () => {
    const free = await createKey(server.url, {});
    assert.equal((await chat(free.key, false)).status, 200);
    const empty = await createKey(server.url, { credits: 0 });
    assert.equal((await chat(empty.key, false)).status, 402);
    await admin(server.url, 'POST', `/keys/${empty.id}/credits`, { amount: 1 });
    assert.equal((await chat(empty.key, false)).status, 200);
  });
});
