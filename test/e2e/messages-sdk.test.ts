/**
 * The Anthropic Messages API (`POST /v1/messages`) with the official `@anthropic-ai/sdk` as the
 * client, over an OpenAI-compatible, an Anthropic and a Gemini deployment (each a fake speaking its
 * provider's wire format): answers, streams with their accumulated final message, a full tool-use
 * loop, images, errors in Anthropic's shape, and every streamed event checked against the events
 * Anthropic recorded (test/fixtures/anthropic).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { TOOL_ARGUMENTS } from '../fakes/fake-behaviour.js';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY, admin, createKey } from '../support/admin.js';
import { fixturePath } from '../support/fixtures.js';
import { http } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let server: ServerProcess;
let client: Anthropic;

const MODELS = [
  { provider: 'openai-compatible', model: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-3.5-sonnet' },
  { provider: 'gemini', model: 'gemini-2.5-flash' },
];

before(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
  const config = [
    'providers:',
    '  fake:',
    '    type: openai-compatible',
    `    base_url: ${openai.url}`,
    '    api_key: ${FAKE_UPSTREAM_KEY}',
    'models:',
    '  gpt-4o-mini:',
    '    deployments: [ { provider: fake, model: gpt-4o-mini } ]',
    ...openToPublicKey(['claude-3.5-sonnet', 'gemini-2.5-flash']),
    '',
  ].join('\n');
  server = await startServer({
    env: { OPENSQ_ADMIN_KEY: ADMIN_KEY, FAKE_UPSTREAM_KEY: FAKE_KEY, ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: anthropic.url, GEMINI_API_KEY: FAKE_GEMINI_KEY, GEMINI_BASE_URL: gemini.url },
    config,
  });
  client = new Anthropic({ baseURL: server.url, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await server?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
});

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather for a given location',
  input_schema: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
};
const paris = "What's the weather like in Paris today?";

/** Anthropic's recorded events: for each event type, the keys of its data and of its nested objects. */
function shapes(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { event, data } of sseEvents(text)) {
    const keys = out.get(event) ?? new Set<string>();
    for (const key of keyPaths(data)) keys.add(key);
    out.set(event, keys);
  }
  return out;
}

/** The key paths of a value, with a block's or delta's type in the path, so each kind has its own shape. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const record = value as Record<string, unknown>;
  const here = prefix && typeof record.type === 'string' ? `${prefix}<${record.type}>` : prefix;
  const paths: string[] = [];
  for (const [key, inner] of Object.entries(record)) {
    if (key === 'service_tier' || key === 'container' || key === 'stop_details') continue;
    paths.push(`${here}.${key}`, ...keyPaths(inner, `${here}.${key}`));
  }
  return paths;
}

function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  for (const frame of text.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

const RECORDED = new Map<string, Set<string>>();
for (const name of ['basic_response.txt', 'tool_use_response.txt']) {
  for (const [event, keys] of shapes(readFileSync(fixturePath(`anthropic/${name}`), 'utf8'))) {
    RECORDED.set(event, new Set([...(RECORDED.get(event) ?? []), ...keys]));
  }
}

/** Checks a raw stream: Anthropic's event order, each data's type naming its event, and only shapes Anthropic sends. */
function checkStream(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  const events = sseEvents(text);
  const order = events.map((e) => e.event).join(' ');
  assert.match(order, /^message_start content_block_start ping (content_block_delta )*content_block_stop (content_block_start (content_block_delta )*content_block_stop )*message_delta message_stop$/);
  for (const { event, data } of events) {
    assert.equal(data.type, event);
    const recorded = RECORDED.get(event);
    assert.ok(recorded, `Anthropic sends ${event}`);
    for (const key of keyPaths(data)) assert.ok(recorded.has(key), `${event} carries ${key}, which Anthropic's ${event} has`);
  }
  const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.index);
  assert.deepEqual(starts, starts.map((_, i) => i), 'blocks are numbered from 0');
  return events;
}

async function rawStream(body: Record<string, unknown>, path = '/v1/messages'): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const res = await http(`${server.url}${path}`, { headers: { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' }, json: { ...body, stream: true } });
  return { status: res.status, text: res.text, headers: res.headers };
}

// Anthropic's message_delta now carries the cumulative input and cache counts too (the SDK's MessageDeltaUsage), which the recordings predate.
for (const key of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) RECORDED.get('message_delta')!.add(`.usage.${key}`);

it('the recorded fixtures hold the shapes the checks compare with', () => {
  for (const event of ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']) assert.ok(RECORDED.has(event), event);
  assert.ok(RECORDED.get('content_block_delta')!.has('.delta<input_json_delta>.partial_json'));
  assert.ok(RECORDED.get('content_block_start')!.has('.content_block<tool_use>.input'));
});

for (const { provider, model } of MODELS) {
  describe(`@anthropic-ai/sdk over ${provider} (${model})`, () => {
    it('messages.create: a text answer in Anthropic shape, naming the model asked for', async () => {
      const { data: message, response } = await client.messages
        .create({ model, max_tokens: 256, system: [{ type: 'text', text: 'Be brief', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'Hello there' }] })
        .withResponse();
      assert.equal(response.headers.get('x-opensq-provider'), provider === 'openai-compatible' ? 'fake' : provider);
      assert.match(response.headers.get('request-id') ?? '', /^req_[0-9a-f]{32}$/);
      assert.match(message.id, /^msg_[0-9a-f]{32}$/);
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.equal(message.model, model);
      assert.deepEqual(message.content, [{ type: 'text', text: '[Be brief] Echo: Hello there' }]);
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.stop_sequence, null);
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));
    });

    it('max_tokens cuts the answer: stop_reason max_tokens', async () => {
      const message = await client.messages.create({ model, max_tokens: 2, messages: [{ role: 'user', content: 'one two three four five' }] });
      assert.equal(message.stop_reason, 'max_tokens');
    });

    it('messages.stream(): events in Anthropic order and finalMessage() accumulates the answer', async () => {
      const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Stream this please' }] });
      let text = '';
      stream.on('text', (delta) => (text += delta));
      const message = await stream.finalMessage();
      assert.equal(text, 'Echo: Stream this please');
      assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: Stream this please' }]);
      assert.equal(message.model, model);
      assert.equal(message.stop_reason, 'end_turn');
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));

      const raw = await rawStream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Stream this please' }] });
      assert.equal(raw.status, 200);
      assert.match(String(raw.headers['content-type']), /^text\/event-stream/);
      assert.match(String(raw.headers['request-id']), /^req_/);
      const events = checkStream(raw.text);
      assert.ok(events.filter((e) => e.event === 'content_block_delta').length > 2, 'streamed in pieces');
    });

    it('a full tool-use loop: tool_use with its input, then the tool_result answered', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: paris }];
      const first = await client.messages.create({ model, max_tokens: 512, tools: [weatherTool], tool_choice: { type: 'auto' }, messages });
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      assert.ok(use && use.type === 'tool_use');
      assert.equal(use.name, 'get_weather');
      assert.deepEqual(use.input, TOOL_ARGUMENTS[0]);
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: '12.3' }] }] });
      const second = await client.messages.create({ model, max_tokens: 512, tools: [weatherTool], messages });
      assert.deepEqual(second.content, [{ type: 'text', text: 'The tool answered: 12.3' }]);
      assert.equal(second.stop_reason, 'end_turn');
    });

    it('a streamed tool call: input_json_delta events that finalMessage() parses into the input', async () => {
      const stream = client.messages.stream({ model, max_tokens: 512, tools: [weatherTool], tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: paris }] });
      const message = await stream.finalMessage();
      assert.equal(message.stop_reason, 'tool_use');
      const use = message.content.find((b) => b.type === 'tool_use');
      assert.ok(use && use.type === 'tool_use');
      assert.deepEqual(use.input, TOOL_ARGUMENTS[0]);
      const raw = await rawStream({ model, max_tokens: 512, tools: [weatherTool], tool_choice: { type: 'any', disable_parallel_tool_use: true }, messages: [{ role: 'user', content: paris }] });
      const events = checkStream(raw.text);
      assert.ok(events.some((e) => (e.data.delta as { type?: string })?.type === 'input_json_delta'));
      assert.equal((events.find((e) => e.event === 'message_delta')!.data.delta as { stop_reason: string }).stop_reason, 'tool_use');
    });

    it('an image (base64) is seen by the model', async () => {
      const data = Buffer.from('fake png bytes!').toString('base64');
      const message = await client.messages.create({
        model,
        max_tokens: 256,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is on this image?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data } }] }],
      });
      assert.deepEqual(message.content, [{ type: 'text', text: 'I see an image (image/png, 15 bytes).' }]);
    });

    it('a failure after the first byte is an error event', async () => {
      const raw = await rawStream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'please fail #midstream-error' }] });
      assert.equal(raw.status, 200);
      const events = sseEvents(raw.text);
      assert.equal(events[0].event, 'message_start');
      const last = events.at(-1)!;
      assert.equal(last.event, 'error');
      assert.equal(last.data.type, 'error');
      assert.equal(typeof (last.data.error as { type: unknown }).type, 'string');
      assert.ok(!events.some((e) => e.event === 'message_stop'));
      await assert.rejects(client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'please fail #midstream-error' }] }).finalMessage(), Anthropic.APIError);
    });
  });
}

describe('Messages API surface', () => {
  it('Authorization: Bearer works as x-api-key does, under /ai/anthropic and with ?beta=true', async () => {
    const bearer = new Anthropic({ baseURL: `${server.url}/ai/anthropic`, apiKey: null, authToken: 'openai', maxRetries: 0 });
    const message = await bearer.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: hi' }]);
    const beta = await bearer.beta.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'beta' }] });
    assert.deepEqual(beta.content, [{ type: 'text', text: 'Echo: beta' }]);
  });

  it('errors in Anthropic shape with its statuses and a request-id header', async () => {
    const bad = new Anthropic({ baseURL: server.url, apiKey: 'sq-not-a-key', maxRetries: 0 });
    const auth = await bad.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(auth instanceof Anthropic.AuthenticationError, String(auth));
    assert.equal((auth.error as { error: { type: string } }).error.type, 'authentication_error');
    assert.match(auth.requestID ?? '', /^req_/);

    const missing = await client.messages.create({ model: 'claude-opus-99', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(missing instanceof Anthropic.NotFoundError, String(missing));
    assert.equal((missing.error as { error: { type: string } }).error.type, 'not_found_error');

    const res = await http(`${server.url}/v1/messages`, { headers: { 'x-api-key': 'openai' }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    assert.match(String(res.headers['request-id']), /^req_/);

    const json = await http(`${server.url}/v1/messages`, { headers: { 'x-api-key': 'openai', 'content-type': 'application/json' }, body: '{"model":' });
    assert.equal(json.status, 400);
    assert.equal(json.json.type, 'error');
    assert.equal(json.json.error.type, 'invalid_request_error');

    const upstream = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'down #fail-503' }] }).catch((e: unknown) => e);
    assert.ok(upstream instanceof Anthropic.APIError, String(upstream));
    assert.ok(upstream.status! >= 500, String(upstream.status));
    assert.equal((upstream.error as { type: string }).type, 'error');
  });

  it('another method is a 405 and another path a 404, in Anthropic shape with request-id', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/v1/messages', 405, 'invalid_request_error'],
      ['DELETE', '/ai/anthropic/v1/messages', 405, 'invalid_request_error'],
      ['GET', '/v1/messages/count_tokens', 405, 'invalid_request_error'],
      ['POST', '/v1/messages/batches', 404, 'not_found_error'],
      ['GET', '/v1/messages/batches/msgbatch_01', 404, 'not_found_error'],
      ['POST', '/ai/anthropic/v1/messages/nope?beta=true', 404, 'not_found_error'],
    ];
    for (const [method, path, status, type] of cases) {
      const res = await http(`${server.url}${path}`, { method, headers: { 'x-api-key': 'openai' }, ...(method === 'POST' ? { json: {} } : {}) });
      assert.equal(res.status, status, `${method} ${path}`);
      assert.equal(res.json.type, 'error');
      assert.equal(res.json.error.type, type, `${method} ${path}`);
      assert.match(String(res.headers['request-id']), /^req_/);
      if (status === 405) assert.equal(res.headers.allow, 'POST');
    }
    const batches = await client.messages.batches.create({ requests: [] }).catch((e: unknown) => e);
    assert.ok(batches instanceof Anthropic.NotFoundError, String(batches));
  });

  it('a rate limit is a rate_limit_error 429 with its retry-after; a model not configured is a 503 api_error, not retried as overloaded', async () => {
    const limited = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'slow down #rate-limit' }] }).catch((e: unknown) => e);
    assert.ok(limited instanceof Anthropic.RateLimitError, String(limited));
    assert.equal((limited.error as { error: { type: string } }).error.type, 'rate_limit_error');
    assert.ok(limited.headers?.get('retry-after'));
    const res = await http(`${server.url}/v1/messages`, { headers: { 'x-api-key': 'openai' }, json: { model: 'deepseek-v3', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.error.type, 'api_error');
    assert.match(res.json.error.message, /DEEPSEEK_API_KEY/);
  });

  it('usage rows carry the endpoint messages', async () => {
    await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'count me' }] });
    const rows = await server.query("SELECT endpoint, model, status, prompt_tokens, completion_tokens FROM usage WHERE endpoint = 'messages'");
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.status !== 'ok' || Number(r.prompt_tokens) > 0));
  });
});

describe('count_tokens and the model list', () => {
  it('messages.countTokens: the estimate grows with the prompt; unknown models are 404', async () => {
    const short = await client.messages.countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const long = await client.messages.countTokens({ model: 'claude-3.5-sonnet', system: 'You are terse.', tools: [weatherTool], messages: [{ role: 'user', content: 'hi '.repeat(200) }] });
    assert.ok(short.input_tokens > 0 && long.input_tokens > short.input_tokens + 150, `${short.input_tokens} < ${long.input_tokens}`);
    const missing = await client.messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    assert.ok(missing instanceof Anthropic.NotFoundError, String(missing));
  });

  it("count_tokens is admitted like any request (the key's requests per minute apply) but free: no tokens counted, no credit taken, no usage row", async () => {
    const { id, key } = await createKey(server.url, { rpm: 2, tpm: 50, credits: 0.001 });
    const limited = new Anthropic({ baseURL: server.url, apiKey: key, maxRetries: 0 });
    // Far more than the key's tokens per minute: tokens are not counted for a count.
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'count '.repeat(500) }] };
    for (let i = 0; i < 2; i++) assert.ok((await limited.messages.countTokens(params)).input_tokens > 400);
    const third = await limited.messages.countTokens(params).catch((e: unknown) => e);
    assert.ok(third instanceof Anthropic.RateLimitError, String(third));
    assert.equal((third.error as { error: { type: string } }).error.type, 'rate_limit_error');
    assert.ok(third.headers?.get('retry-after'));
    const rows = (await admin(server.url, 'GET', `/usage?key_id=${id}`)).json.data as Array<{ endpoint: string; status: string }>;
    assert.ok(rows.every((r) => r.status !== 'ok'), JSON.stringify(rows));
    assert.equal((await admin(server.url, 'GET', `/keys/${id}`)).json.credits, 0.001);
  });

  it('an Anthropic deployment counts itself: the client body goes to its count_tokens; others are estimated', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'Count me', cache_control: { type: 'ephemeral' } }];
    const { data: exact, response } = await client.messages.countTokens({ model: 'claude-3.5-sonnet', system, messages: [{ role: 'user', content: 'how many?' }] }).withResponse();
    assert.equal(response.headers.get('x-opensq-token-count'), 'exact');
    const sent = anthropic.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages/count_tokens');
    assert.deepEqual(sent.body, { model: 'claude-3-5-sonnet-latest', system, messages: [{ role: 'user', content: 'how many?' }] });
    assert.ok(exact.input_tokens > 0);
    const estimated = await client.messages.countTokens({ model: 'gpt-4o-mini', system, messages: [{ role: 'user', content: 'how many?' }] }).withResponse();
    assert.equal(estimated.response.headers.get('x-opensq-token-count'), 'estimate');
    assert.notEqual(estimated.data.input_tokens, exact.input_tokens, 'the fake counts otherwise than the estimate');
  });

  it("an Anthropic deployment's count is sent the client's thinking, which Anthropic counts", async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 2048 };
    const { response } = await client.messages.countTokens({ model: 'claude-3.5-sonnet', thinking, messages: [{ role: 'user', content: 'think first' }] }).withResponse();
    assert.equal(response.headers.get('x-opensq-token-count'), 'exact');
    const sent = anthropic.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages/count_tokens');
    assert.deepEqual(sent.body, { model: 'claude-3-5-sonnet-latest', thinking, messages: [{ role: 'user', content: 'think first' }] });
  });

  it('models.list() in Anthropic shape when the request carries anthropic-version; OpenAI shape otherwise', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      assert.equal(model.type, 'model');
      assert.ok(!Number.isNaN(Date.parse(model.created_at)));
      ids.push(model.id);
    }
    assert.ok(ids.includes('gpt-4o-mini') && ids.includes('claude-3.5-sonnet'));
    const one = await client.models.retrieve('gemini-2.5-flash');
    assert.equal(one.id, 'gemini-2.5-flash');
    assert.equal(one.type, 'model');
    const openaiShape = await http(`${server.url}/v1/models`, { headers: { authorization: 'Bearer openai' } });
    assert.equal(openaiShape.json.object, 'list');
  });
});

describe('an Anthropic deployment gets the client request almost untouched', () => {
  it('cache_control, system blocks, tool choice and allowed betas reach the upstream; cache reads and writes come back and are recorded', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'Cached system prompt', cache_control: { type: 'ephemeral' } }];
    const tools: Anthropic.Tool[] = [{ ...weatherTool, cache_control: { type: 'ephemeral' } }];
    // top_k is Anthropic's, though this SDK's types leave it out.
    const params = {
      model: 'claude-3.5-sonnet',
      max_tokens: 300,
      system,
      tools,
      tool_choice: { type: 'none' as const },
      top_k: 5,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello cache', cache_control: { type: 'ephemeral' as const } }] }],
    };
    const { data: message, response } = await client.messages.create(params, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31, claude-code-20250219' } }).withResponse();
    assert.deepEqual(message.content, [{ type: 'text', text: '[Cached system prompt] Echo: hello cache' }]);
    assert.equal(message.usage.cache_read_input_tokens, 4, 'the fake reads 4 tokens from the cache when there is a system prompt');
    assert.equal(message.usage.cache_creation_input_tokens, 3, 'and writes 3 when a block carries cache_control');
    assert.match(response.headers.get('x-opensq-warnings') ?? '', /dropped_parameter: no deployment of this model reasons on request; thinking was ignored/);
    const sent = anthropic.requests.at(-1)!;
    assert.deepEqual(sent.body, {
      model: 'claude-3-5-sonnet-latest',
      max_tokens: 300,
      system,
      tools,
      tool_choice: { type: 'none' },
      top_k: 5,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello cache', cache_control: { type: 'ephemeral' } }] }],
    });
    assert.equal(sent.headers['anthropic-beta'], 'prompt-caching-2024-07-31');
    assert.equal(sent.headers['x-api-key'], FAKE_ANTHROPIC_KEY);
    const rows = await server.query(`SELECT cached_tokens, cache_write_tokens, prompt_tokens FROM usage WHERE request_id = 'chatcmpl-${message.id.slice(4)}'`);
    assert.equal(rows.length, 1);
    assert.equal(Number(rows[0].cached_tokens), 4);
    assert.equal(Number(rows[0].cache_write_tokens), 3);
    assert.equal(Number(rows[0].prompt_tokens), message.usage.input_tokens + 4 + 3);

    const streamed = await client.messages.stream(params).finalMessage();
    assert.equal(streamed.usage.cache_read_input_tokens, 4);
    assert.equal(streamed.usage.cache_creation_input_tokens, 3);
    assert.equal(streamed.usage.input_tokens, message.usage.input_tokens);
  });
});

describe('extended thinking', () => {
  it('a model that reasons gets the budget as its thinking; one that does not answers with a warning', async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 8000 };
    const { data: message, response } = await client.messages
      .create({ model: 'gemini-2.5-flash', max_tokens: 16000, thinking, messages: [{ role: 'user', content: 'think' }] })
      .withResponse();
    assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: think' }]);
    assert.equal(response.headers.get('x-opensq-warnings'), null);
    const config = gemini.requests.at(-1)!.body.generationConfig as { thinkingConfig?: { thinkingBudget?: number } };
    assert.ok((config.thinkingConfig?.thinkingBudget ?? 0) > 0, JSON.stringify(config));

    const plain = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 16000, thinking, messages: [{ role: 'user', content: 'think' }] }).withResponse();
    assert.deepEqual(plain.data.content, [{ type: 'text', text: 'Echo: think' }]);
    assert.match(plain.response.headers.get('x-opensq-warnings') ?? '', /dropped_parameter: no deployment of this model reasons on request; thinking was ignored/);
    assert.equal(openai.requests.at(-1)!.body.reasoning_effort, undefined);
  });
});

describe('parallel tool calls', () => {
  const searchTool: Anthropic.Tool = { name: 'search_products', description: 'Searches products', input_schema: { type: 'object', properties: { query: { type: 'string' }, max_price: { type: 'number' } } } };
  for (const { provider, model } of MODELS) {
    it(`over ${provider}: two tool_use blocks, answered and streamed`, async () => {
      const params = { model, max_tokens: 512, tools: [weatherTool, searchTool], messages: [{ role: 'user' as const, content: 'call both in parallel' }] };
      const answered = await client.messages.create(params);
      const streamed = await client.messages.stream(params).finalMessage();
      for (const message of [answered, streamed]) {
        assert.equal(message.stop_reason, 'tool_use');
        const uses = message.content.filter((b) => b.type === 'tool_use');
        assert.deepEqual(uses.map((b) => b.type === 'tool_use' && [b.name, b.input]), [['get_weather', TOOL_ARGUMENTS[0]], ['search_products', TOOL_ARGUMENTS[1]]]);
        assert.equal(new Set(uses.map((b) => b.type === 'tool_use' && b.id)).size, 2);
      }
    });
  }
});

describe('stop sequences', () => {
  it('Anthropic names the sequence that matched: stop_reason stop_sequence with it, answered and streamed', async () => {
    const params = { model: 'claude-3.5-sonnet', max_tokens: 256, stop_sequences: ['never', 'over'], messages: [{ role: 'user' as const, content: 'it is over now' }] };
    for (const message of [await client.messages.create(params), await client.messages.stream(params).finalMessage()]) {
      assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: it is ' }]);
      assert.equal(message.stop_reason, 'stop_sequence');
      assert.equal(message.stop_sequence, 'over');
    }
  });

  it('a provider that says only "stop" (OpenAI, Gemini) ends the turn: which sequence matched, if any, is not known', async () => {
    for (const model of ['gpt-4o-mini', 'gemini-2.5-flash']) {
      const params = { model, max_tokens: 256, stop_sequences: ['over'], messages: [{ role: 'user' as const, content: 'it is over now' }] };
      for (const message of [await client.messages.create(params), await client.messages.stream(params).finalMessage()]) {
        assert.equal(message.stop_reason, 'end_turn', model);
        assert.equal(message.stop_sequence, null);
      }
    }
    assert.deepEqual(openai.requests.at(-1)!.body.stop, ['over']);
  });
});

describe('PDF documents', () => {
  const pdf = Buffer.from('%PDF-1.4 fake pdf bytes').toString('base64');
  const ask = (source: Anthropic.DocumentBlockParam['source']): Anthropic.MessageParam[] => [
    { role: 'user', content: [{ type: 'document', source, title: 'report.pdf' }, { type: 'text', text: 'Summarise this' }] },
  ];

  for (const { provider, model } of MODELS) {
    it(`a base64 PDF reaches ${provider} (${model})`, async () => {
      const message = await client.messages.create({ model, max_tokens: 256, messages: ask({ type: 'base64', media_type: 'application/pdf', data: pdf }) });
      assert.deepEqual(message.content, [{ type: 'text', text: 'I see an image (application/pdf, 23 bytes).' }]);
    });
  }

  it('the OpenAI-compatible upstream gets an OpenAI file part; Gemini inline data', async () => {
    await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 256, messages: ask({ type: 'base64', media_type: 'application/pdf', data: pdf }) });
    const part = (openai.requests.at(-1)!.body.messages as Array<{ content: unknown[] }>)[0].content[0];
    assert.deepEqual(part, { type: 'file', file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'report.pdf' } });
    await client.messages.create({ model: 'gemini-2.5-flash', max_tokens: 256, messages: ask({ type: 'base64', media_type: 'application/pdf', data: pdf }) });
    const parts = (gemini.requests.at(-1)!.body.contents as Array<{ parts: Array<Record<string, unknown>> }>)[0].parts;
    assert.deepEqual(parts[0], { inlineData: { mimeType: 'application/pdf', data: pdf } });
  });

  it('a PDF by URL goes to Anthropic as sent; a model without a deployment that takes files by URL refuses it with a 400', async () => {
    const url = 'https://example.com/report.pdf';
    const message = await client.messages.create({ model: 'claude-3.5-sonnet', max_tokens: 256, messages: ask({ type: 'url', url }) });
    assert.deepEqual(message.content, [{ type: 'text', text: 'I see an image (remote, 0 bytes).' }]);
    assert.deepEqual((anthropic.requests.at(-1)!.body.messages as Array<{ content: unknown[] }>)[0].content[0], { type: 'document', source: { type: 'url', url }, title: 'report.pdf' });
    const before = openai.requests.length;
    const refused = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 256, messages: ask({ type: 'url', url }) }).catch((e: unknown) => e);
    assert.ok(refused instanceof Anthropic.BadRequestError, String(refused));
    assert.equal((refused.error as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.match((refused.error as { error: { message: string } }).error.message, /gpt-4o-mini.*messages\[0\]\.content\[0\].*files by URL/);
    assert.equal(openai.requests.length, before, 'nothing reached the upstream');
  });

  it('translated for Anthropic (the chat route): a PDF file part becomes a document block; another file type is a 400', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, {
      headers: { authorization: 'Bearer openai' },
      json: { model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: [{ type: 'text', text: 'Read it' }, { type: 'file', file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'r.pdf' } }] }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, 'I see an image (application/pdf, 23 bytes).');
    assert.deepEqual((anthropic.requests.at(-1)!.body.messages as Array<{ content: unknown[] }>)[0].content[1], { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'r.pdf' });
    const text = await http(`${server.url}/v1/chat/completions`, {
      headers: { authorization: 'Bearer openai' },
      json: { model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:text/plain;base64,aGk=' } }] }] },
    });
    assert.equal(text.status, 400, text.text);
    assert.equal(text.json.error.param, 'messages[0].content[0]');
  });
});

describe('cache prices', () => {
  it("credits charge Claude's cache reads at 0.1× and writes at 1.25× the input price; the row's cost is the same", async () => {
    const { id, key } = await createKey(server.url, { credits: 1 });
    const paying = new Anthropic({ baseURL: server.url, apiKey: key, maxRetries: 0 });
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'Cached system prompt', cache_control: { type: 'ephemeral' } }];
    const message = await paying.messages.create({ model: 'claude-3.5-sonnet', max_tokens: 100, system, messages: [{ role: 'user', content: 'price me' }] });
    const { input_tokens: plain, cache_read_input_tokens: reads, cache_creation_input_tokens: writes, output_tokens: output } = message.usage;
    assert.deepEqual([reads, writes], [4, 3]);
    // claude-3.5-sonnet: $3 input, $15 output, $0.30 cache reads, $3.75 cache writes per million tokens.
    const expected = (plain * 3 + 4 * 0.3 + 3 * 3.75 + output * 15) / 1_000_000;
    const [row] = await server.query(`SELECT cost FROM usage WHERE request_id = 'chatcmpl-${message.id.slice(4)}'`);
    assert.ok(Math.abs(Number(row.cost) - expected) < 1e-12, `${row.cost} != ${expected}`);
    const credits = (await admin(server.url, 'GET', `/keys/${id}`)).json.credits as number;
    assert.ok(Math.abs(1 - credits - expected) < 1e-9, `charged ${1 - credits}, expected ${expected}`);
    // As plain input they would have cost more than this: the cache prices were applied.
    assert.ok(expected < ((plain + 7) * 3 + output * 15) / 1_000_000);
  });
});
