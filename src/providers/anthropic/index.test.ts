import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic-upstream.js';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import type { ChatCall, ChatStream, ProviderConfig } from '../types.js';
import { AnthropicAdapter } from './index.js';

let fake: FakeAnthropic;
before(async () => {
  fake = await startFakeAnthropic();
});
after(() => fake.close());

const timeouts = { connectMs: 1000, firstByteMs: 5000, idleMs: 5000, totalMs: 10_000 };
const adapter = (overrides: Partial<ProviderConfig> = {}) =>
  new AnthropicAdapter({ name: 'anthropic', type: 'anthropic', baseUrl: `${fake.url}/`, apiKey: FAKE_ANTHROPIC_KEY, options: {}, timeouts, ...overrides });

function call(body: Partial<ChatRequest>, warnings: string[] = []): ChatCall {
  return {
    body: { model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'hello' }], ...body },
    publicModel: 'claude-3.5-sonnet',
    upstreamModel: 'claude-3-5-sonnet-latest',
    signal: new AbortController().signal,
    id: 'chatcmpl-test',
    created: 1700000000,
    warn: (code, message) => warnings.push(`${code}: ${message}`),
  };
}

async function chunks(stream: ChatStream): Promise<Array<{ choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: unknown }>> {
  const out = [];
  for await (const batch of stream) out.push(...batch.map((text) => JSON.parse(text)));
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: string, status: number, check: (error: ApiError) => void = () => undefined): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    check(error);
    return true;
  });
}

describe('AnthropicAdapter against the fake Messages API', () => {
  it("posts to {base}/v1/messages with Anthropic's headers and answers a chat.completion", async () => {
    const { completion, usage } = await adapter().chat(call({ messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hello' }] }));
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], FAKE_ANTHROPIC_KEY);
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.equal(sent.headers.authorization, undefined);
    assert.deepEqual(sent.body, { model: 'claude-3-5-sonnet-latest', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], system: [{ type: 'text', text: 'Be terse.' }] });
    assert.deepEqual(completion.choices, [{ index: 0, message: { role: 'assistant', content: '[Be terse.] Echo: hello', refusal: null }, logprobs: null, finish_reason: 'stop' }]);
    assert.equal(completion.id, 'chatcmpl-test');
    assert.equal(completion.model, 'claude-3.5-sonnet');
    assert.equal(usage!.prompt_tokens_details!.cached_tokens, 4, 'cache reads reach cached_tokens');
  });

  it('streams text, and a JSON schema answer streams as content', async () => {
    const text = await chunks(await adapter().stream(call({ stream: true })));
    assert.equal(text.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Echo: hello');
    assert.equal(fake.requests.at(-1)!.body.stream, true);
    const json = await chunks(
      await adapter().stream(call({ stream: true, messages: [{ role: 'user', content: 'structured' }], response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', properties: { answer: { type: 'string' } } } } } })),
    );
    assert.deepEqual(JSON.parse(json.map((c) => c.choices[0]?.delta.content ?? '').join('')), { answer: 'structured' });
    assert.equal(json.at(-1)!.choices[0].finish_reason, 'stop');
    assert.ok(json.every((c) => !c.choices[0]?.delta.tool_calls));
  });

  it('reports what it could not honour through call.warn', async () => {
    const warnings: string[] = [];
    await adapter().chat(call({ seed: 1, temperature: 2 }, warnings));
    assert.deepEqual(warnings, ["adjusted_parameter: temperature 2 is above provider anthropic's maximum; sent 1", 'dropped_parameter: parameters not supported by provider anthropic were ignored: seed']);
  });

  it('maps upstream errors: 400, 429 with Retry-After, 529 as a retryable 503, 500 as 502, unknown model, wrong key', async () => {
    const say = (content: string) => call({ messages: [{ role: 'user', content }] });
    await rejectsWith(adapter().chat(say('#bad-request')), 'invalid_request', 400, (e) => assert.match(e.message, /^max_tokens: 100000 > 8192/));
    await rejectsWith(adapter().chat(say('#rate-limit')), 'upstream_rate_limited', 429, (e) => assert.equal(e.retryAfter, '7'));
    await rejectsWith(adapter().stream(say('#fail-503')), 'model_unavailable', 503, (e) => assert.equal(e.retryable, true));
    await rejectsWith(adapter().chat(say('#fail-500')), 'upstream_error', 502);
    await rejectsWith(adapter().chat({ ...say('hi'), upstreamModel: 'claude-0' }), 'upstream_error', 502, (e) => assert.match(e.message, /does not serve this model/));
    await rejectsWith(adapter({ apiKey: 'sk-ant-wrong' }).chat(say('hi')), 'upstream_auth_error', 502, (e) => assert.equal(e.retryable, false));
  });

  it('an answer that is not JSON, or not an event stream, is a 502', async () => {
    const say = call({ messages: [{ role: 'user', content: '#not-json' }] });
    await rejectsWith(adapter().chat(say), 'upstream_error', 502, (e) => assert.match(e.message, /not JSON/));
    await rejectsWith(adapter().stream(say), 'upstream_error', 502, (e) => assert.match(e.message, /instead of an event stream/));
  });

  it('a mid-stream error event and a reset both end the stream with an error', async () => {
    const stream = await adapter().stream(call({ stream: true, messages: [{ role: 'user', content: 'please #midstream-error now' }] }));
    await rejectsWith(chunks(stream), 'model_unavailable', 503);
    const reset = await adapter().stream(call({ stream: true, messages: [{ role: 'user', content: 'please #reset now' }] }));
    await rejectsWith(chunks(reset), 'upstream_error', 502);
  });

  it('an upstream that never answers times out as a 504', async () => {
    await rejectsWith(adapter({ timeouts: { ...timeouts, firstByteMs: 200 } }).chat(call({ messages: [{ role: 'user', content: '#hang' }] })), 'upstream_timeout', 504);
  });
});

describe('the fake Messages API rejects what the real one rejects', () => {
  async function post(body: unknown, headers: Record<string, string> = { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' }) {
    const res = await request(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.statusCode, json: (await res.body.json()) as { type: string; error: { type: string; message: string } } };
  }
  const valid = { model: 'claude-3-5-sonnet-latest', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  const cases: Array<[string, unknown, Record<string, string> | undefined, number, string, RegExp]> = [
    ['a missing x-api-key', valid, { 'anthropic-version': '2023-06-01' }, 401, 'authentication_error', /x-api-key/],
    ['a wrong x-api-key', valid, { 'x-api-key': 'sk-ant-wrong', 'anthropic-version': '2023-06-01' }, 401, 'authentication_error', /invalid x-api-key/],
    ['a missing anthropic-version', valid, { 'x-api-key': FAKE_ANTHROPIC_KEY }, 400, 'invalid_request_error', /anthropic-version/],
    ['a missing max_tokens', { ...valid, max_tokens: undefined }, undefined, 400, 'invalid_request_error', /^max_tokens: Field required/],
    ['a system role inside messages', { ...valid, messages: [{ role: 'system', content: 'x' }, ...valid.messages] }, undefined, 400, 'invalid_request_error', /Unexpected role "system"/],
    ['roles that do not alternate', { ...valid, messages: [...valid.messages, ...valid.messages] }, undefined, 400, 'invalid_request_error', /roles must alternate/],
    ['an OpenAI field', { ...valid, seed: 1 }, undefined, 400, 'invalid_request_error', /^seed: Extra inputs are not permitted/],
    ['a tool_result without its tool_use', { ...valid, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: '1' }] }] }, undefined, 400, 'invalid_request_error', /unexpected `tool_use_id`/],
    ['an empty text block', { ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, undefined, 400, 'invalid_request_error', /non-empty/],
    ['an unknown model', { ...valid, model: 'gpt-4o' }, undefined, 404, 'not_found_error', /model: gpt-4o/],
  ];
  for (const [what, body, headers, status, type, message] of cases) {
    it(what, async () => {
      const res = await post(body, headers);
      assert.equal(res.status, status);
      assert.equal(res.json.type, 'error');
      assert.equal(res.json.error.type, type);
      assert.match(res.json.error.message, message);
    });
  }
});
