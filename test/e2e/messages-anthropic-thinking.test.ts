/**
 * Extended thinking over an Anthropic deployment, with the official `@anthropic-ai/sdk` on
 * /v1/messages and plain HTTP on /v1/chat/completions, against the fake Anthropic upstream (which
 * signs its thinking, refuses signatures it did not issue and holds requests to Anthropic's rules
 * for thinking): the client's `thinking` reaches Anthropic, the answer's thinking comes back with
 * Anthropic's own signature (non-streamed and as signature_delta), redacted thinking passes with its
 * data, and a tool loop sends the signed block back to Anthropic unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { FAKE_ANTHROPIC_KEY, FAKE_INTERLEAVED_TEXT, FAKE_REDACTED_THINKING, FAKE_SECOND_THOUGHT, type FakeAnthropic, fakeThinkingSignature, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let anthropic: FakeAnthropic;
let server: ServerProcess;
let client: Anthropic;

const MODEL = 't-claude';

before(async () => {
  anthropic = await startFakeAnthropic();
  const config = [
    'models:',
    `  ${MODEL}: { paid: false, deployments: [ { provider: anthropic, model: claude-sonnet-4-5 } ] }`,
    '',
  ].join('\n');
  server = await startServer({ env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: anthropic.url }, config });
  client = new Anthropic({ baseURL: server.url, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await server?.stop();
  await anthropic?.close();
});

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather for a given location',
  input_schema: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
};
const thinking = { type: 'enabled' as const, budget_tokens: 2048 };
const question = "What's the weather like in Paris today?";
const THOUGHT = `Thinking about: ${question}`;
const lastSent = () => anthropic.requests.filter((r) => r.path === '/v1/messages').at(-1)!;

describe('/v1/messages with thinking over an Anthropic deployment', () => {
  it("messages.create: the client's thinking reaches Anthropic; its thinking block comes back with Anthropic's signature", async () => {
    const { data: message, response } = await client.messages.create({ model: MODEL, max_tokens: 4096, thinking, messages: [{ role: 'user', content: question }] }).withResponse();
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: THOUGHT, signature: fakeThinkingSignature(THOUGHT) },
      { type: 'text', text: `Echo: ${question}` },
    ]);
    assert.deepEqual(lastSent().body.thinking, thinking);
    assert.equal(response.headers.get('x-opensq-warnings'), null);
  });

  it('messages.stream().finalMessage(): thinking_delta pieces and the signature_delta give the same block; redacted thinking keeps its data', async () => {
    const text = `${question} #redacted-thinking`;
    const streamed = await client.messages.stream({ model: MODEL, max_tokens: 4096, thinking, messages: [{ role: 'user', content: text }] }).finalMessage();
    const thought = `Thinking about: ${text}`;
    assert.deepEqual(streamed.content, [
      { type: 'thinking', thinking: thought, signature: fakeThinkingSignature(thought) },
      { type: 'redacted_thinking', data: FAKE_REDACTED_THINKING },
      { type: 'text', text: `Echo: ${text}` },
    ]);
    const raw = await http(`${server.url}/v1/messages`, {
      headers: { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' },
      json: { model: MODEL, max_tokens: 4096, thinking, stream: true, messages: [{ role: 'user', content: question }] },
    });
    assert.equal(raw.status, 200);
    assert.ok(raw.text.includes(`data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${fakeThinkingSignature(THOUGHT)}"}}\n\n`), raw.text);
    assert.doesNotMatch(raw.text, /opensq\.v1\./);
  });

  for (const streamed of [false, true]) {
    it(`a tool loop with thinking (${streamed ? 'streamed' : 'not streamed'}) sends the signed thinking block back to Anthropic unchanged`, async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
      const params = { model: MODEL, max_tokens: 4096, thinking, tools: [weatherTool] };
      const first = streamed ? await client.messages.stream({ ...params, messages }).finalMessage() : await client.messages.create({ ...params, messages });
      assert.deepEqual(first.content.map((b) => b.type), ['thinking', 'tool_use']);
      const use = first.content[1];
      assert.ok(use.type === 'tool_use');
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12.3' }] });
      const second = streamed ? await client.messages.stream({ ...params, messages }).finalMessage() : await client.messages.create({ ...params, messages });
      assert.deepEqual(second.content.at(-1), { type: 'text', text: 'The tool answered: 12.3' });
      const sent = lastSent().body.messages as Array<{ role: string; content: unknown }>;
      assert.deepEqual(sent[1], { role: 'assistant', content: [{ type: 'thinking', thinking: THOUGHT, signature: fakeThinkingSignature(THOUGHT) }, { type: 'tool_use', id: use.id, name: 'get_weather', input: use.input }] });
    });
  }

  it('interleaved thinking keeps its order, streamed or not: [thinking, text, thinking, tool_use] as Anthropic answered', async () => {
    const text = `${question} #interleaved-thinking`;
    const thought = `Thinking about: ${text}`;
    const params = { model: MODEL, max_tokens: 4096, thinking, tools: [weatherTool], messages: [{ role: 'user' as const, content: text }] };
    for (const message of [await client.messages.create(params), await client.messages.stream(params).finalMessage()]) {
      assert.deepEqual(message.content.map((b) => b.type), ['thinking', 'text', 'thinking', 'tool_use']);
      assert.deepEqual(message.content.slice(0, 3), [
        { type: 'thinking', thinking: thought, signature: fakeThinkingSignature(thought) },
        { type: 'text', text: FAKE_INTERLEAVED_TEXT },
        { type: 'thinking', thinking: FAKE_SECOND_THOUGHT, signature: fakeThinkingSignature(FAKE_SECOND_THOUGHT) },
      ]);
    }
  });

  it("a thinking block Anthropic did not sign goes to Anthropic, which refuses it in its words; the gateway's own never goes", async () => {
    const turn = (block: Anthropic.ThinkingBlockParam): Anthropic.MessageParam[] => [
      { role: 'user', content: question },
      { role: 'assistant', content: [block, { type: 'text', text: 'Sunny.' }] },
      { role: 'user', content: 'And tomorrow?' },
    ];
    const forged = await http(`${server.url}/v1/messages`, {
      headers: { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' },
      json: { model: MODEL, max_tokens: 4096, thinking, messages: turn({ type: 'thinking', thinking: 'forged', signature: 'EqNotAnthropics' }) },
    });
    assert.equal(forged.status, 400);
    assert.equal(forged.json.type, 'error');
    assert.equal(forged.json.error.type, 'invalid_request_error');

    const ours = await client.messages.create({ model: MODEL, max_tokens: 4096, thinking, messages: turn({ type: 'thinking', thinking: 'x', signature: 'opensq.v1.not-even-valid' }) });
    assert.equal(ours.content.at(-1)?.type, 'text');
    assert.deepEqual((lastSent().body.messages as Array<{ content: Array<{ type: string }> }>)[1].content.map((b) => b.type), ['text']);
  });

  it("Anthropic's rules: a temperature beside thinking is refused as Anthropic refuses it, with Anthropic's error shape", async () => {
    const hot = await http(`${server.url}/v1/messages`, {
      headers: { 'x-api-key': 'openai', 'anthropic-version': '2023-06-01' },
      json: { model: MODEL, max_tokens: 4096, thinking, temperature: 0.5, messages: [{ role: 'user', content: question }] },
    });
    assert.equal(hot.status, 400);
    assert.equal(hot.json.error.type, 'invalid_request_error');
    assert.match(hot.json.error.message, /temperature/);
  });
});

describe('/v1/chat/completions with reasoning_effort over an Anthropic deployment', () => {
  const chat = (body: Record<string, unknown>) => http(`${server.url}/v1/chat/completions`, { headers: { authorization: 'Bearer openai' }, json: { model: MODEL, ...body } });

  it("reasoning_effort is a thinking budget; the answer's reasoning comes with thinking_blocks, which a tool loop sends back", async () => {
    const tools = [{ type: 'function', function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.input_schema } }];
    const messages: Array<Record<string, unknown>> = [{ role: 'user', content: question }];
    const first = await chat({ reasoning_effort: 'medium', tools, messages });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(lastSent().body.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(lastSent().body.max_tokens, 2048 + 4096);
    const message = first.json.choices[0].message;
    assert.equal(message.reasoning_content, THOUGHT);
    assert.deepEqual(message.thinking_blocks, [{ type: 'thinking', thinking: THOUGHT, signature: fakeThinkingSignature(THOUGHT) }]);
    assert.equal(message.tool_calls.length, 1);

    messages.push(message, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: '12.3' });
    const second = await chat({ reasoning_effort: 'medium', tools, messages });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.choices[0].message.content, 'The tool answered: 12.3');
    const sent = lastSent().body.messages as Array<{ content: Array<{ type: string }> }>;
    assert.deepEqual(sent[1].content[0], { type: 'thinking', thinking: THOUGHT, signature: fakeThinkingSignature(THOUGHT) });
  });

  it('streamed: reasoning_content pieces, then the signature in thinking_blocks', async () => {
    const res = await chat({ reasoning_effort: 'low', stream: true, messages: [{ role: 'user', content: question }] });
    assert.equal(res.status, 200);
    assert.deepEqual(lastSent().body.thinking, { type: 'enabled', budget_tokens: 1024 });
    const deltas = res.text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).choices[0]?.delta ?? {});
    assert.equal(deltas.map((d) => d.reasoning_content ?? '').join(''), THOUGHT);
    assert.deepEqual(deltas.flatMap((d) => d.thinking_blocks ?? []), [{ type: 'thinking', thinking: '', signature: fakeThinkingSignature(THOUGHT) }]);
  });
});
