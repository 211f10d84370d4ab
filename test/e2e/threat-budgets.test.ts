/**
 * Threat: a key with a small balance spends far more than it has (parallel long answers, `n`).
 * Budgets hold under concurrency: each request reserves its worst case and its answer is capped to
 * what the balance affords, so a balance never goes below zero and every served answer ends cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { http, sseDataLines } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  // 100 credits per million tokens: a 6,000-word answer costs about 0.6.
  const config = ['models:', '  gpt-4o:', '    cost: { input: 100, output: 100 }', ''].join('\n');
  server = await startServer({ env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (key: string, body: Record<string, unknown>) =>
  http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'tell me everything #long-answer' }], ...body } });

const balance = async (id: string): Promise<number> => (await admin(server.url, 'GET', `/keys/${id}`)).json.credits;

async function spentInLedger(id: string): Promise<number> {
  const usage = await admin(server.url, 'GET', `/usage?key_id=${id}&limit=1000`);
  return usage.json.data.reduce((sum: number, row: { cost: number }) => sum + row.cost, 0);
}

describe('budgets hold under concurrency', () => {
  it('10 parallel long streams on a balance of 0.05 end at or above zero, each served answer cut cleanly at length', async () => {
    const initial = 0.05;
    const { id, key } = await createKey(server.url, { credits: initial });
    const answers = await Promise.all(Array.from({ length: 10 }, () => chat(key, { stream: true })));
    let served = 0;
    for (const res of answers) {
      if (res.status === 402) {
        assert.equal(res.json.error.code, 'insufficient_quota');
        continue;
      }
      assert.equal(res.status, 200, res.text.slice(0, 300));
      served++;
      const lines = sseDataLines(res.text);
      assert.equal(lines.at(-1), '[DONE]');
      const chunks = lines.slice(0, -1).map((l) => JSON.parse(l));
      assert.ok(chunks.every((c) => !c.error), 'no error event');
      assert.equal(chunks.findLast((c) => c.choices?.[0]?.finish_reason)?.choices[0].finish_reason, 'length');
      assert.match(String(res.headers['x-opensq-warnings']), /limited to \d+ tokens: what this key's credit affords/);
    }
    assert.ok(served >= 1, 'at least one stream was served');
    const left = await balance(id);
    assert.ok(left >= 0, `the balance went below zero: ${left}`);
    assert.ok(Math.abs(initial - (await spentInLedger(id)) - left) < 1e-9, 'the ledger accounts for every credit spent');
  });

  it('waves of requests drain a balance to what no further request can afford, never below zero', async () => {
    const initial = 0.2;
    const { id, key } = await createKey(server.url, { credits: initial });
    for (let wave = 0; wave < 20; wave++) {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => chat(key, { stream: i % 2 === 0, max_tokens: 300 + i * 100, ...(i % 3 === 0 && { n: 2 }) })));
      for (const res of answers) assert.ok(res.status === 200 || res.status === 402, `${res.status} ${res.text.slice(0, 200)}`);
      if (answers.every((res) => res.status === 402)) break;
    }
    const left = await balance(id);
    assert.ok(left >= 0, `the balance went below zero: ${left}`);
    assert.ok(left < initial / 10, `the balance was spent: ${left}`);
    assert.ok(Math.abs(initial - (await spentInLedger(id)) - left) < 1e-9, 'the ledger accounts for every credit spent');
    assert.equal((await chat(key, { max_tokens: 5000 })).status, 402);
  });

  it('a client limit below what the balance affords is left alone, with no warning', async () => {
    const { id, key } = await createKey(server.url, { credits: 10 });
    const res = await chat(key, { max_tokens: 20 });
    assert.equal(res.status, 200);
    assert.equal(res.json.choices[0].finish_reason, 'length');
    assert.equal(res.headers['x-opensq-warnings'], undefined);
    assert.ok(Math.abs(10 - (await balance(id)) - (await spentInLedger(id))) < 1e-9);
  });
});
