/**
 * Built-in tools are billed: a key with credits pays for the calls OpenAI bills per call (web search
 * here) on top of its tokens, from the model's `cost.tool_calls`; the calls are counted in the final
 * Response's output (JSON or stream) and recorded in the usage row; and every such request on a key
 * with a balance is sent a `max_tool_calls` no larger than what its reservation covers, so a small
 * balance cannot make the operator pay for unlimited calls. Against the fake OpenAI Responses upstream,
 * which makes `#searches-<k>` web searches and holds to `max_tool_calls`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_USAGE, type FakeOpenAIResponses, startFakeOpenAIResponses } from '../fakes/openai-responses-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { compatProviderLines } from '../support/gateway-config.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let native: FakeOpenAIResponses;
let server: ServerProcess;

const SEARCH = 0.01;
/** Credits per million tokens; the fake's usage costs TOKENS credits. */
const PRICE = { input: 1, output: 2 };
const TOKENS = (FAKE_USAGE.input_tokens * PRICE.input + FAKE_USAGE.output_tokens * PRICE.output) / 1_000_000;

before(async () => {
  native = await startFakeOpenAIResponses();
  const config = [
    'providers:',
    ...compatProviderLines('native', native.url, { responsesApi: true }),
    'models:',
    `  t-search: { paid: false, max_output_tokens: 1000, cost: { input: ${PRICE.input}, output: ${PRICE.output}, tool_calls: { web_search: ${SEARCH}, file_search: 0.0025 } }, deployments: [ { provider: native, model: gpt-4.1 } ] }`,
    '',
  ].join('\n');
  server = await startServer({ env: { OPENSQ_ADMIN_KEY: ADMIN_KEY }, config });
});

after(async () => {
  await server?.stop();
  await native?.close();
});

const respond = (key: string, text: string, extra: Record<string, unknown> = {}) =>
  http(`${server.url}/v1/responses`, { headers: { authorization: `Bearer ${key}` }, json: { model: 't-search', input: text, tools: [{ type: 'web_search' }], max_output_tokens: 100, ...extra } });
const balance = async (id: string): Promise<number> => (await admin(server.url, 'GET', `/keys/${id}`)).json.credits;
const lastSent = () => native.requests.at(-1)!.body;
const rowOf = async (requestId: string) => (await server.query('SELECT * FROM usage')).find((r) => r.request_id === requestId);
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

describe('built-in tool calls are billed on /v1/responses', () => {
  for (const stream of [false, true]) {
    it(`${stream ? 'streamed' : 'not streamed'}: the balance drops by the tokens and every web search; the usage row counts the calls`, async () => {
      const { id, key } = await createKey(server.url, { credits: 10 });
      const res = await respond(key, 'Search the news #searches-3', { stream });
      assert.equal(res.status, 200, res.text);
      close(await balance(id), 10 - TOKENS - 3 * SEARCH, 'balance');
      const requestId = String(res.headers['x-request-id']);
      const row = await rowOf(requestId);
      assert.ok(row, `a usage row for ${requestId}`);
      assert.equal(row.builtin_tool_calls, 3);
      close(row.cost, TOKENS + 3 * SEARCH, 'row cost');
      // A balance that covers everything still bounds the calls, so the reservation is never outrun.
      assert.equal(lastSent().max_tool_calls, 32);
      assert.match(String(res.headers['x-opensq-warnings']), /tool_calls_limited/);
    });
  }

  it('a stream that fails after its searches, before the final Response, still pays for them', async () => {
    const { id, key } = await createKey(server.url, { credits: 10 });
    const res = await respond(key, 'Search then fail #searches-2 #fail-midstream', { stream: true });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /event: error/);
    const row = await rowOf(String(res.headers['x-request-id']));
    assert.ok(row);
    assert.equal(row.status, 'error');
    assert.equal(row.builtin_tool_calls, 2);
    const left = await balance(id);
    assert.ok(left <= 10 - 2 * SEARCH && left > 10 - 2 * SEARCH - 0.001, String(left));
  });

  it("a client's own max_tool_calls under what the credit covers is sent as it is, without a warning", async () => {
    const { key } = await createKey(server.url, { credits: 10 });
    const res = await respond(key, 'Search twice #searches-5', { max_tool_calls: 2 });
    assert.equal(res.status, 200, res.text);
    assert.equal(lastSent().max_tool_calls, 2);
    assert.equal(res.json.output.filter((i: { type: string }) => i.type === 'web_search_call').length, 2);
    assert.doesNotMatch(String(res.headers['x-opensq-warnings'] ?? ''), /tool_calls_limited/);
  });

  it('a credit that covers the tokens but not the calls asked for: max_tool_calls is capped to what it affords, and the balance stays at or above zero', async () => {
    const initial = 0.025;
    const { id, key } = await createKey(server.url, { credits: initial });
    const res = await respond(key, 'Search a lot #searches-9', { max_tool_calls: 9 });
    assert.equal(res.status, 200, res.text);
    assert.equal(lastSent().max_tool_calls, 2);
    assert.match(String(res.headers['x-opensq-warnings']), /tool_calls_limited/);
    const left = await balance(id);
    close(left, initial - TOKENS - 2 * SEARCH, 'balance');
    assert.ok(left >= 0);
  });

  it('a credit too small for one call is refused (insufficient_quota) before anything is sent; without built-in tools the same key is served', async () => {
    const { key } = await createKey(server.url, { credits: 0.005 });
    const before = native.requests.length;
    const res = await respond(key, 'Search #searches-1');
    assert.equal(res.status, 402, res.text);
    assert.equal(res.json.error.code, 'insufficient_quota');
    assert.equal(native.requests.length, before);
    const plain = await respond(key, 'No search', { tools: [] });
    assert.equal(plain.status, 200, plain.text);
    assert.equal(lastSent().max_tool_calls, undefined);
  });
});
