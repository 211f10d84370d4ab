/**
 * OpenAI's Responses API (`/v1/responses`) over every provider, with the real client libraries as
 * clients: the OpenAI SDK (`responses.create`, `responses.stream`, a function-tool loop) and the
 * Vercel AI SDK 5's default `openai(model)` path, against fakes speaking the OpenAI, Anthropic,
 * Gemini and Cohere wire formats and the local GGUF model. Every response object and stream event is checked
 * against OpenAI's own Responses schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { type FourProviderGateway, ONE_MODEL_A_PROVIDER as MODELS, startFourProviderGateway } from '../support/four-providers.js';
import { http } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';

let gateway: FourProviderGateway;

const WITH_TOOLS = Object.keys(MODELS) as Array<keyof typeof MODELS>;
const LOCAL = 'stories260K';

before(async () => {
  // The `openai` preset at a fake gets chat completions: the translated path (the Responses pass-through has its own tests).
  gateway = await startFourProviderGateway({ models: { ...MODELS, 't-gemini3': 'gemini/gemini-3-pro-preview' }, local: true });
});

after(async () => {
  await gateway?.stop();
});

const client = (): OpenAI => new OpenAI({ baseURL: `${gateway.server.url}/v1`, apiKey: 'openai' });
const aiSdk = () => createOpenAI({ baseURL: `${gateway.server.url}/v1`, apiKey: 'openai' });

const responseRows = async (): Promise<number> => (await gateway.server.query("SELECT request_id FROM usage WHERE endpoint = 'responses'")).length;

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather at a place',
  parameters: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'], additionalProperties: false },
  strict: false,
};

/** The SSE events of a raw Responses stream: each event's name must match its data's type. */
function sseEvents(text: string): Array<Record<string, any>> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]) as Record<string, any>;
      assert.equal(name, data.type, 'the event name is the data type');
      return data;
    });
}

function assertEventSequence(events: Array<Record<string, any>>): void {
  events.forEach((event, i) => {
    assertOpenAISchema('ResponseStreamEvent', event);
    assert.equal(event.sequence_number, i, 'sequence numbers count from 0 without gaps');
  });
  assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['response.created', 'response.in_progress']);
}

describe('POST /v1/responses with the OpenAI SDK', () => {
  for (const model of WITH_TOOLS) {
    it(`${model}: responses.create answers text; the Response validates, with usage and the row's endpoint`, async () => {
      const res = await http(`${gateway.server.url}/v1/responses`, { json: { model, input: 'Say hello.', instructions: 'Be brief.', metadata: { run: 'a' }, temperature: 0.5 } });
      assert.equal(res.status, 200, res.text);
      assertOpenAISchema('Response', res.json);
      assert.match(res.json.id, /^resp_[0-9a-f]{32}$/);
      assert.equal(res.json.status, 'completed');
      assert.equal(res.json.model, model);
      assert.deepEqual(res.json.metadata, { run: 'a' });
      assert.equal(res.json.instructions, 'Be brief.');
      assert.equal(res.json.output[0].type, 'message');
      assert.equal(res.json.output[0].content[0].text, '[Be brief.] Echo: Say hello.');
      assert.ok(res.json.usage.input_tokens > 0 && res.json.usage.output_tokens > 0);
      assert.equal(res.json.usage.total_tokens, res.json.usage.input_tokens + res.json.usage.output_tokens);
      assert.equal(typeof res.json.usage.input_tokens_details.cached_tokens, 'number');
      assert.equal(typeof res.json.usage.output_tokens_details.reasoning_tokens, 'number');
      const row = (await gateway.server.query('SELECT * FROM usage')).find((r) => r.request_id === res.json.id);
      assert.ok(row, 'a usage row under the response id');
      assert.equal(row.endpoint, 'responses');
      assert.equal(Number(row.completion_tokens), res.json.usage.output_tokens);
      const kept = (await gateway.server.query('SELECT * FROM request_bodies')).find((r) => r.request_id === res.json.id);
      assert.equal(JSON.parse(kept!.body).input, 'Say hello.', 'the body is kept for replay in the playground');

      const sdk = await client().responses.create({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi there' }] }] });
      assert.equal(sdk.output_text, 'Echo: Hi there');
    });

    it(`${model}: responses.stream sends the full event sequence and its final response`, async () => {
      const events: Array<Record<string, any>> = [];
      const stream = client().responses.stream({ model, input: 'Stream a little story.' });
      for await (const event of stream) events.push(event as unknown as Record<string, any>);
      const final = await stream.finalResponse();
      assert.equal(final.output_text, 'Echo: Stream a little story.');
      assertEventSequence(events);
      const types = events.map((e) => e.type);
      for (const type of ['response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done']) {
        assert.ok(types.includes(type), `${type} in ${types.join(',')}`);
      }
      assert.equal(types.at(-1), 'response.completed');
      const completed = events.at(-1)!.response;
      assert.equal(completed.status, 'completed');
      assert.ok(completed.usage.output_tokens > 0);
      assert.equal(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join(''), 'Echo: Stream a little story.');
    });

    it(`${model}: a function-tool loop through function_call_output, unstreamed and streamed`, async () => {
      const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'What is the weather in Paris?' }];
      const first = await client().responses.create({ model, input, tools: [weatherTool], tool_choice: 'auto' });
      assertOpenAISchema('Response', first);
      const call = first.output.find((item) => item.type === 'function_call');
      assert.ok(call && call.type === 'function_call', JSON.stringify(first.output));
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.arguments), { latitude: 48.8566, longitude: 2.3522 });
      assert.ok(call.call_id);
      const second = await client().responses.create({
        model,
        input: [...input, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: '22 degrees' }],
        tools: [weatherTool],
      });
      assert.equal(second.output_text, 'The tool answered: 22 degrees');

      const events: Array<Record<string, any>> = [];
      const stream = client().responses.stream({ model, input, tools: [weatherTool] });
      for await (const event of stream) events.push(event as unknown as Record<string, any>);
      assertEventSequence(events);
      const done = events.find((e) => e.type === 'response.function_call_arguments.done')!;
      assert.equal(done.name, 'get_weather');
      assert.deepEqual(JSON.parse(done.arguments), { latitude: 48.8566, longitude: 2.3522 });
      const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
      assert.equal(deltas, done.arguments);
      const final = await stream.finalResponse();
      const streamedCall = final.output.find((item) => item.type === 'function_call');
      assert.ok(streamedCall && streamedCall.type === 'function_call' && streamedCall.call_id && streamedCall.name === 'get_weather');
    });

    it(`${model}: two calls at once, streamed: two function_call items, each added, filled and done`, async () => {
      const now = { type: 'function', name: 'now', description: 'The time', parameters: { type: 'object', properties: {} }, strict: false };
      const res = await http(`${gateway.server.url}/v1/responses`, { json: { model, input: 'Weather and time, in parallel please', tools: [weatherTool, now], stream: true } });
      const events = sseEvents(res.text);
      assertEventSequence(events);
      const items = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
      // Cohere plans its calls first (`tool_plan`): a reasoning item with that plan as its summary.
      if (model === 't-cohere') assert.ok(items[0].type === 'reasoning' && items[0].summary[0].text.length > 0, JSON.stringify(items[0]));
      const done = items.filter((item) => item.type === 'function_call');
      assert.deepEqual(done.map((item) => [item.type, item.name]), [['function_call', 'get_weather'], ['function_call', 'now']]);
      assert.deepEqual(done.map((item) => JSON.parse(item.arguments)), [{ latitude: 48.8566, longitude: 2.3522 }, { query: 'phone', max_price: 1000 }]);
      assert.notEqual(done[0].call_id, done[1].call_id);
      const final = events.at(-1)!.response;
      assert.deepEqual(final.output.map((item: { id: string }) => item.id), items.map((item) => item.id));
    });

    it(`${model}: max_output_tokens cuts the answer: status incomplete, reason max_output_tokens, also streamed`, async () => {
      const res = await http(`${gateway.server.url}/v1/responses`, { json: { model, input: 'one two three four five six seven', max_output_tokens: 2 } });
      assert.equal(res.status, 200, res.text);
      assertOpenAISchema('Response', res.json);
      assert.equal(res.json.status, 'incomplete');
      assert.deepEqual(res.json.incomplete_details, { reason: 'max_output_tokens' });
      const streamed = await http(`${gateway.server.url}/v1/responses`, { json: { model, input: 'one two three four five six seven', max_output_tokens: 2, stream: true } });
      const events = sseEvents(streamed.text);
      assertEventSequence(events);
      assert.equal(events.at(-1)!.type, 'response.incomplete');
      assert.deepEqual(events.at(-1)!.response.incomplete_details, { reason: 'max_output_tokens' });
    });

    it(`${model}: text.format json_schema gives structured output`, async () => {
      const res = await client().responses.create({
        model,
        input: 'Structured, please',
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false }, strict: true } },
      });
      assert.deepEqual(JSON.parse(res.output_text), { answer: 'Structured, please' });
    });

    it(`${model}: a failure after the first byte is an error event, then response.failed`, async () => {
      const res = await http(`${gateway.server.url}/v1/responses`, { json: { model, input: 'Break #midstream-error', stream: true } });
      assert.equal(res.status, 200);
      const events = sseEvents(res.text);
      assertEventSequence(events);
      assert.deepEqual(events.slice(-2).map((e) => e.type), ['error', 'response.failed']);
      assert.equal(events.at(-1)!.response.status, 'failed');
    });
  }

  it('Gemini 3: a function-tool loop keeps the call\'s thought signature through call_id', async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client().responses.create({ model: 't-gemini3', input, tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    const second = await client().responses.create({
      model: 't-gemini3',
      input: [...input, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'cloudy' }],
      tools: [weatherTool],
    });
    assert.equal(second.output_text, 'The tool answered: cloudy');
    const third = await client().responses.create({
      model: 't-gemini3',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'rainy' }],
      tools: [weatherTool],
    });
    assert.equal(third.output_text, 'The tool answered: rainy');
  });

  it('the local model answers text, unstreamed and streamed', async () => {
    const res = await client().responses.create({ model: LOCAL, input: 'Once upon a time', max_output_tokens: 16 });
    assertOpenAISchema('Response', res);
    assert.ok(res.output_text.trim().length > 0);
    const events: Array<Record<string, any>> = [];
    const stream = client().responses.stream({ model: LOCAL, input: 'A cat', max_output_tokens: 12 });
    for await (const event of stream) events.push(event as unknown as Record<string, any>);
    assertEventSequence(events);
    assert.ok((await stream.finalResponse()).output_text.length > 0);
  });

  it('a built-in tool is a 400 naming it; an unknown input item too; /ai/openai/responses is the same route', async () => {
    for (const [tools, name] of [[[{ type: 'web_search' }], 'web_search'], [[weatherTool, { type: 'file_search', vector_store_ids: ['vs_1'] }], 'file_search'], [[{ type: 'code_interpreter', container: { type: 'auto' } }], 'code_interpreter']] as const) {
      const res = await http(`${gateway.server.url}/ai/openai/responses`, { json: { model: 't-openai', input: 'Search', tools } });
      assert.equal(res.status, 400, res.text);
      assertOpenAISchema('ErrorResponse', res.json);
      assert.equal(res.json.error.code, 'unsupported_parameter');
      assert.match(res.json.error.message, new RegExp(`"${name}"`));
    }
    const odd = await http(`${gateway.server.url}/v1/responses`, { json: { model: 't-anthropic', input: [{ type: 'computer_call_output', call_id: 'x' }] } });
    assert.equal(odd.status, 400);
    assert.equal(odd.json.error.param, 'input[0]');
    const warned = await http(`${gateway.server.url}/v1/responses`, { json: { model: 't-gemini', input: 'Hi', truncation: 'auto', include: ['message.output_text.logprobs'] } });
    assert.equal(warned.status, 200, warned.text);
    assert.match(warned.headers['x-opensq-warnings'] as string, /^dropped_parameter: truncation .*; dropped_parameter: include message\.output_text\.logprobs/);
    const missing = await http(`${gateway.server.url}/v1/responses`, { json: { model: 't-anthropic' } });
    assert.deepEqual([missing.status, missing.json.error.param], [400, 'input']);
  });

  it('an image by data URL reaches a translating provider; function_call items become tool calls upstream', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const res = await client().responses.create({
      model: 't-anthropic',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'auto' }] }],
    });
    assert.match(res.output_text, /^I see an image \(image\/png, \d+ bytes\)\.$/);
    await client().responses.create({
      model: 't-openai',
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'rainy' }] },
      ],
      tools: [weatherTool],
      parallel_tool_calls: true,
      reasoning: { effort: 'low' },
    });
    const sent = gateway.openai.requests.at(-1)!.body;
    assert.deepEqual(sent.messages, [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"a":1}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: 'rainy' },
    ]);
    assert.deepEqual(sent.tools, [{ type: 'function', function: { name: 'get_weather', description: weatherTool.description, parameters: weatherTool.parameters } }]);
    assert.equal(sent.parallel_tool_calls, true);
    assert.equal(sent.reasoning_effort, 'low');
    assert.equal(sent.input, undefined, 'no Responses field reaches a chat upstream');
  });
});

describe('POST /v1/responses with the Vercel AI SDK 5 default path', () => {
  for (const model of [...WITH_TOOLS, LOCAL]) {
    it(`${model}: generateText and streamText`, async () => {
      const rowsBefore = await responseRows();
      const openaiProvider = aiSdk();
      const { text, usage } = await generateText({ model: openaiProvider(model), prompt: 'Tell me a joke', maxOutputTokens: model === LOCAL ? 16 : undefined });
      if (model === LOCAL) assert.ok(text.trim().length > 0);
      else assert.equal(text, 'Echo: Tell me a joke');
      assert.ok((usage.inputTokens ?? 0) > 0 && (usage.outputTokens ?? 0) > 0);
      const result = streamText({ model: openaiProvider(model), system: 'Short.', prompt: 'Stream it', maxOutputTokens: model === LOCAL ? 12 : undefined });
      let streamed = '';
      for await (const delta of result.textStream) streamed += delta;
      if (model === LOCAL) assert.ok(streamed.length > 0);
      else assert.equal(streamed, '[Short.] Echo: Stream it');
      assert.ok(['stop', 'length'].includes(await result.finishReason));
      assert.equal(await responseRows(), rowsBefore + 2, 'both calls went to /v1/responses');
    });
  }

  for (const model of WITH_TOOLS) {
    it(`${model}: tools with multiple steps, the default path (earlier items sent back as item_reference) and store: false (sent back by value)`, async () => {
      const weather = tool({
        description: 'Weather at a place',
        inputSchema: jsonSchema<{ latitude: number; longitude: number }>({ type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] }),
        execute: async ({ latitude }) => `${latitude > 0 ? 'north' : 'south'}: 21 degrees`,
      });
      for (const providerOptions of [undefined, { openai: { store: false } }]) {
        const result = await generateText({ model: aiSdk()(model), prompt: 'What is the weather in Paris?', tools: { get_weather: weather }, stopWhen: stepCountIs(3), providerOptions });
        assert.equal(result.steps.length, 2);
        assert.equal(result.text, 'The tool answered: north: 21 degrees');
        const streamed = streamText({ model: aiSdk()(model), prompt: 'Weather in Paris, streamed', tools: { get_weather: weather }, stopWhen: stepCountIs(3), providerOptions });
        let text = '';
        for await (const delta of streamed.textStream) text += delta;
        assert.equal(text, 'The tool answered: north: 21 degrees');
        assert.equal((await streamed.steps).length, 2);
      }
    });
  }
});
