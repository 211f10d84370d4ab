/**
 * Outside checks with real SDKs under faults: the OpenAI SDK's own retries (two by default) against
 * an upstream answering 429 with Retry-After and against 503s, and against the gateway's own
 * per-minute limit: every attempt gets an honest status the SDK retries, and no refused attempt
 * costs the key anything. And the Anthropic SDK aborting a stream mid-way: the request is recorded
 * as cancelled, once, and nothing stays in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { metricValue } from '../support/metrics.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY, OPENSQ_MAX_ATTEMPTS: '1' },
    config: ['models:', ...openToPublicKey(['gpt-4o-mini']), ''].join('\n'),
  });
});
after(async () => {
  await server?.stop();
  await upstream?.close();
});

const rowsOf = (keyId: string) => server.query(`SELECT status, http_status, cost FROM usage WHERE key_id = '${keyId}' ORDER BY id`);
const credits = async (keyId: string) => Number((await admin(server.url, 'GET', `/keys/${keyId}`)).json.credits);

describe('the OpenAI SDK retrying through the gateway', () => {
  for (const [marker, status] of [['#retry-after-1', 429], ['#fail-503', 503]] as const) {
    it(`an upstream answering ${status} (${marker}): the SDK tries three times and gets ${status}; no attempt costs anything`, { timeout: 30_000 }, async () => {
      const { id, key } = await createKey(server.url, { credits: 5 });
      const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1` });
      const before = upstream.requests.length;
      const started = performance.now();
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${marker}` }] }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError, String(error));
        assert.ok(error.status === status || (status === 503 && error.status === 502), `status ${error.status}`);
        return true;
      });
      assert.equal(upstream.requests.length - before, 3, 'the SDK retried twice, the gateway tried the upstream once per attempt');
      if (status === 429) assert.ok(performance.now() - started >= 1_900, 'the SDK waited the Retry-After the gateway passed on');
      const rows = await rowsOf(id);
      assert.equal(rows.length, 3, 'a usage row per attempt');
      for (const row of rows) {
        assert.equal(row.status, 'error');
        assert.equal(Number(row.cost), 0);
      }
      assert.equal(await credits(id), 5, 'the balance is whole');
    });
  }

  it("the gateway's own per-minute limit: a 429 with Retry-After, never billed", { timeout: 30_000 }, async () => {
    const { id, key } = await createKey(server.url, { credits: 5, rpm: 1 });
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const afterFirst = await credits(id);
    const before = upstream.requests.length;
    const refused = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }).withResponse().catch((error: unknown) => error);
    assert.ok(refused instanceof OpenAI.APIError && refused.status === 429, String(refused));
    assert.match(String(refused.headers?.get('retry-after')), /^\d+$/);
    assert.equal(upstream.requests.length, before, 'a refused request never reaches the upstream');
    assert.equal(await credits(id), afterFirst, 'a refused request costs nothing');
  });
});

describe('the Anthropic SDK aborting a stream', () => {
  it('is recorded once, as cancelled, with nothing left in flight', { timeout: 30_000 }, async () => {
    const { id, key } = await createKey(server.url, { credits: 5 });
    const client = new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 400, messages: [{ role: 'user', content: 'tell me #slow #long-answer' }] });
    let events = 0;
    await assert.rejects(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && ++events === 3) stream.abort();
        }
      })(),
      (error: unknown) => error instanceof Anthropic.APIUserAbortError,
    );
    let rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 40 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await rowsOf(id);
    }
    await new Promise((r) => setTimeout(r, 200));
    rows = await rowsOf(id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].status, 'cancelled');
    assert.ok(Number(rows[0].cost) > 0, 'the prompt and the answer seen so far are billed');
    assert.equal(await metricValue(server.url, 'opensq_requests_in_flight'), 0);
  });
});
