/**
 * One request, every provider: the same `tools`, `tool_choice` and conversation get the same
 * decision whether a model's deployment is OpenAI (relayed as is), Anthropic, Gemini or Cohere —
 * over real HTTP, against fakes that speak each provider's wire format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FourProviderGateway, ONE_MODEL_A_PROVIDER, startFourProviderGateway } from '../support/four-providers.js';
import { http, sseDataLines } from '../support/http.js';

let gateway: FourProviderGateway;

const MODELS = { ...ONE_MODEL_A_PROVIDER, 't-gemini3': 'gemini/gemini-3-pro-preview' } as const;
const TRANSLATED = ['t-anthropic', 't-gemini', 't-cohere'] as const;
const ONE_A_PROVIDER = ['t-openai', ...TRANSLATED] as const;

before(async () => {
  gateway = await startFourProviderGateway({ models: MODELS });
});

after(async () => {
  await gateway?.stop();
});

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather at a place', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const now = { type: 'function', function: { name: 'now', description: 'The time' } };
const chat = (model: string, fields: Record<string, unknown>) =>
  http(`${gateway.server.url}/v1/chat/completions`, { json: { model, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], ...fields } });

describe('one reading of tools and tool_choice', () => {
  it('a tool that is not a function is the same 400 unsupported_parameter (at routing) on every translating provider, and relayed to OpenAI', async () => {
    const custom = { type: 'custom', custom: { name: 'grammar', description: 'Free-form text' } };
    for (const [model, stream] of TRANSLATED.flatMap((m) => [[m, false], [m, true]] as const)) {
      const res = await chat(model, { tools: [weather, custom], stream });
      assert.equal(res.status, 400, `${model} (stream ${stream}): ${res.text}`);
      assert.equal(res.json.error.code, 'unsupported_parameter', model);
      assert.equal(res.json.error.param, 'tools', model);
      assert.match(res.json.error.message, /tools\[1\] is a tool of type "custom", and none of its deployments supports tools other than functions/, model);
    }
    // The relay sends the client's own tools; what the upstream makes of them is its answer (this fake knows function tools only).
    const sent = gateway.openai.requests.length;
    await chat('t-openai', { tools: [weather, custom] });
    assert.equal(gateway.openai.requests.length, sent + 1);
    assert.deepEqual(gateway.openai.requests.at(-1)!.body.tools, [weather, custom]);
  });

  it('allowed_tools is honoured on every translating provider: only the allowed function can be called', async () => {
    const tool_choice = { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'now' } }] } };
    for (const model of TRANSLATED) {
      const res = await chat(model, { tools: [weather, now], tool_choice });
      assert.equal(res.status, 200, `${model}: ${res.text}`);
      assert.equal(res.json.choices[0].finish_reason, 'tool_calls', model);
      assert.deepEqual(res.json.choices[0].message.tool_calls.map((c: { function: { name: string } }) => c.function.name), ['now'], model);
      assert.equal(res.headers['x-opensq-warnings'], undefined, `${model}: nothing was lost`);
    }
    assert.deepEqual(gateway.anthropic.requests.at(-1)!.body.tool_choice, { type: 'any' });
    assert.deepEqual((gateway.anthropic.requests.at(-1)!.body.tools as Array<{ name: string }>).map((t) => t.name), ['now']);
    assert.deepEqual(gateway.gemini.requests.at(-1)!.body.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] } });
    assert.deepEqual([gateway.cohere.requests.at(-1)!.body.tool_choice, (gateway.cohere.requests.at(-1)!.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)], ['REQUIRED', ['now']]);
    await chat('t-openai', { tools: [weather, now], tool_choice });
    assert.deepEqual(gateway.openai.requests.at(-1)!.body.tool_choice, tool_choice, 'relayed as sent');
  });

  it('a tool_choice naming a function that is not offered is the same 400 everywhere, before any upstream is asked', async () => {
    for (const model of ONE_A_PROVIDER) {
      const res = await chat(model, { tools: [weather], tool_choice: { type: 'function', function: { name: 'now' } } });
      assert.equal(res.status, 400, `${model}: ${res.text}`);
      assert.deepEqual([res.json.error.code, res.json.error.param], ['invalid_request', 'tool_choice'], model);
    }
  });

  it('a zod-made tool schema reaches Gemini without a warning; a real constraint lost is schema_keyword_dropped', async () => {
    const zodSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    const clean = await chat('t-gemini', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: zodSchema } }] });
    assert.equal(clean.status, 200, clean.text);
    assert.equal(clean.headers['x-opensq-warnings'], undefined);
    const stepped = { ...zodSchema, properties: { city: { type: 'string' }, days: { type: 'integer', multipleOf: 7 } } };
    const lossy = await chat('t-gemini', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: stepped } }] });
    assert.equal(lossy.status, 200, lossy.text);
    assert.equal(lossy.headers['x-opensq-warnings'], 'schema_keyword_dropped: gemini cannot express multipleOf in tools[0].function.parameters; dropped');
  });
});

describe('one rule for system messages', () => {
  it('a later system message keeps its place: in place where the provider takes it, else a wrapped user turn with one warning', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: 'How are you?' },
    ];
    for (const model of ONE_A_PROVIDER) {
      const res = await chat(model, { messages });
      assert.equal(res.status, 200, `${model}: ${res.text}`);
      const warned = model === 't-anthropic' || model === 't-gemini';
      assert.equal(res.headers['x-opensq-warnings'] === undefined, !warned, `${model}: ${String(res.headers['x-opensq-warnings'])}`);
      if (warned) assert.match(String(res.headers['x-opensq-warnings']), /^moved_system_message: provider \w+ takes a system prompt only before the first turn/);
    }
    assert.deepEqual(gateway.anthropic.requests.at(-1)!.body.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual((gateway.anthropic.requests.at(-1)!.body.messages as Array<{ content: unknown }>)[2].content, [
      { type: 'text', text: '<system>\nAnswer in French.\n</system>' },
      { type: 'text', text: 'How are you?' },
    ]);
    assert.deepEqual((gateway.cohere.requests.at(-1)!.body.messages as Array<{ role: string }>).map((m) => m.role), ['system', 'user', 'assistant', 'system', 'user']);
    assert.match(gateway.server.output(), /"codes":\["moved_system_message"\]/, 'the log lists the warning codes');
  });
});

describe('Gemini 3 thought signatures', () => {
  const ask = { role: 'user', content: 'What is the weather in Paris?' };
  const lastGemini = () => gateway.gemini.requests.at(-1)!.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };

  it('come back with the function call on the next turn, though the client echoes only id, type and function', async () => {
    const first = await chat('t-gemini3', { messages: [ask], tools: [weather] });
    assert.equal(first.status, 200, first.text);
    const call = first.json.choices[0].message.tool_calls[0];
    assert.match(call.id, /^[A-Za-z0-9_-]+$/);
    const echoed = { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: call.type, function: call.function }] };
    const second = await chat('t-gemini3', { messages: [ask, echoed, { role: 'tool', tool_call_id: call.id, content: '12.3' }], tools: [weather] });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.choices[0].message.content, 'The tool answered: 12.3');
    const model = lastGemini().contents[1];
    assert.equal(model.role, 'model');
    assert.match(String(model.parts[0].thoughtSignature), /^[A-Za-z0-9+/]+=*$/, 'the signature Gemini gave, as base64');
  });

  it('come back from a streamed answer too', async () => {
    const res = await http(`${gateway.server.url}/v1/chat/completions`, { json: { model: 't-gemini3', messages: [ask], tools: [weather], stream: true } });
    assert.equal(res.status, 200, res.text);
    const deltas = sseDataLines(res.text).filter((line) => line !== '[DONE]').flatMap((line) => JSON.parse(line).choices[0]?.delta.tool_calls ?? []);
    const id = deltas.find((d: { id?: string }) => d.id).id as string;
    const name = deltas.find((d: { function?: { name?: string } }) => d.function?.name).function.name as string;
    const args = deltas.map((d: { function?: { arguments?: string } }) => d.function?.arguments ?? '').join('');
    const messages = [ask, { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name, arguments: args } }] }, { role: 'tool', tool_call_id: id, content: '12.3' }];
    const second = await chat('t-gemini3', { messages, tools: [weather] });
    assert.equal(second.status, 200, second.text);
  });

  it('a call whose id lost Gemini\'s signature is refused by Gemini 3 (so the tests above can fail)', async () => {
    const first = await chat('t-gemini3', { messages: [ask], tools: [weather] });
    const call = first.json.choices[0].message.tool_calls[0];
    const forged = { ...call, id: `call_plain_0__thought__${'A'.repeat(12)}` };
    const res = await chat('t-gemini3', { messages: [ask, { role: 'assistant', content: null, tool_calls: [forged] }, { role: 'tool', tool_call_id: forged.id, content: '12.3' }], tools: [weather] });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error.message, /thought signature/);
  });

  it('a conversation begun on another model continues on Gemini 3: its unsigned calls get the documented stand-in', async () => {
    const first = await chat('t-openai', { messages: [ask], tools: [weather] });
    assert.equal(first.status, 200, first.text);
    const call = first.json.choices[0].message.tool_calls[0];
    const res = await chat('t-gemini3', { messages: [ask, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '12.3' }], tools: [weather] });
    assert.equal(res.status, 200, res.text);
    assert.equal(lastGemini().contents[1].parts[0].thoughtSignature, 'skip_thought_signature_validator');
  });
});
