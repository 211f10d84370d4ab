/**
 * `/v1/responses` to a deployment that speaks the Responses API itself (OpenAI's own, type
 * `openai`, or `responses_api: true`): the client's request is sent as it is (built-in tools,
 * `include`, reasoning items kept; the conversation from `previous_response_id` rebuilt by the
 * gateway, `store: false` upstream), the answer relayed with the gateway's id and the public model,
 * usage from the upstream's Response; with the OpenAI SDK, the AI SDK 5 and the Agents SDK as
 * clients. Every other deployment refuses a built-in tool with a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool as agentTool } from '@openai/agents';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_USAGE, type FakeOpenAIResponses, startFakeOpenAIResponses, UPSTREAM_MODEL_ANSWER } from '../fakes/openai-responses-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { compatProviderLines, OPENAI_PRESET_WITH_RESPONSES } from '../support/gateway-config.js';
import { http } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let native: FakeOpenAIResponses;
let chatOnly: FakeOpenAI;
let anthropic: FakeAnthropic;
let server: ServerProcess;
let client: OpenAI;

before(async () => {
  [native, chatOnly, anthropic] = await Promise.all([startFakeOpenAIResponses(), startFakeOpenAI(), startFakeAnthropic()]);
  const config = [
    'providers:',
    // The openai preset at a fake: only OpenAI's own address is assumed to speak the Responses API.
    ...OPENAI_PRESET_WITH_RESPONSES,
    ...compatProviderLines('compat-native', native.url, { responsesApi: true }),
    ...compatProviderLines('compat-chat', chatOnly.url),
    'models:',
    '  t-native: { paid: false, deployments: [ { provider: openai, model: gpt-4.1 } ] }',
    '  t-compat-native: { paid: false, deployments: [ { provider: compat-native, model: gpt-4.1 } ] }',
    '  t-chat: { paid: false, deployments: [ { provider: compat-chat, model: gpt-4o-mini } ] }',
    '  t-anthropic: { paid: false, deployments: [ { provider: anthropic, model: claude-3-5-sonnet-latest } ] }',
    '',
  ].join('\n');
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: native.url, ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: anthropic.url },
    config,
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await server?.stop();
  await Promise.all([native?.close(), chatOnly?.close(), anthropic?.close()]);
});

const searchTool = { type: 'web_search_preview' as const };
const weatherTool = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false };
const row = async (id: string): Promise<Record<string, any> | undefined> => (await server.query('SELECT * FROM usage')).find((r) => r.request_id === id);

async function collect(stream: AsyncIterable<unknown>): Promise<Array<Record<string, any>>> {
  const events: Array<Record<string, any>> = [];
  for await (const event of stream) events.push(event as Record<string, any>);
  return events;
}

describe('Responses pass-through to a deployment that speaks the Responses API', () => {
  for (const model of ['t-native', 't-compat-native']) {
    it(`${model}: a built-in tool is sent as it is; the Response is the upstream's under the gateway's id and model; usage row from its usage`, async () => {
      const response = await client.responses.create({ model, input: 'Search the news', tools: [searchTool, weatherTool], metadata: { run: 'x' } });
      assertOpenAISchema('Response', response);
      assert.match(response.id, /^resp_[0-9a-f]{32}$/);
      assert.equal(response.model, model);
      assert.equal((response as unknown as { store: boolean }).store, true, 'the gateway stored it');
      assert.deepEqual(response.output.map((item) => item.type), ['web_search_call', 'function_call']);
      assert.deepEqual(response.usage, FAKE_USAGE);
      const sent = native.requests.at(-1)!.body;
      assert.deepEqual(sent.tools, [searchTool, weatherTool]);
      assert.equal(sent.model, 'gpt-4.1');
      assert.equal(sent.store, false, 'the gateway keeps the state');
      assert.equal(sent.stream, false);
      assert.deepEqual(sent.metadata, { run: 'x' });
      assert.deepEqual(sent.input, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Search the news' }] }]);
      const usage = await row(response.id);
      assert.ok(usage, 'a usage row under the response id');
      assert.equal(usage.endpoint, 'responses');
      assert.equal(usage.upstream_id, 'resp_upstream' + String(native.requests.length));
      assert.deepEqual([Number(usage.prompt_tokens), Number(usage.completion_tokens), Number(usage.cached_tokens)], [21, 13, 8]);
      assert.deepEqual(await client.responses.retrieve(response.id), response, 'stored as it passed through');
    });
  }

  it('streamed: the upstream events relayed with their names and sequence numbers; the Response events under our id and model', async () => {
    const stream = client.responses.stream({ model: 't-native', input: 'Tell me', tools: [searchTool] });
    const events = await collect(stream);
    const final = await stream.finalResponse();
    events.forEach((event, i) => {
      assertOpenAISchema('ResponseStreamEvent', event);
      assert.equal(event.sequence_number, i);
    });
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 2), ['response.created', 'response.in_progress']);
    for (const type of ['response.web_search_call.searching', 'response.output_text.delta', 'response.output_item.done']) assert.ok(types.includes(type), type);
    assert.equal(types.at(-1), 'response.completed');
    for (const event of events.filter((e) => e.response)) {
      assert.equal(event.response.id, final.id);
      assert.equal(event.response.model, 't-native');
    }
    assert.notEqual(final.model, UPSTREAM_MODEL_ANSWER);
    assert.equal(final.output_text, 'Echo: Tell me');
    assert.equal(native.requests.at(-1)!.body.stream, true);
    const usage = await row(final.id);
    assert.equal(usage?.status, 'ok');
    assert.equal(Number(usage?.completion_tokens), 13);
    assert.ok(usage?.ttft_ms !== null);
  });

  it('encrypted reasoning round-trips: kept in the stored response, sent back on previous_response_id; the message ids dropped, store false', async () => {
    const first = await client.responses.create({ model: 't-native', input: 'Think first', reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    assert.ok(reasoning && reasoning.type === 'reasoning' && reasoning.encrypted_content?.startsWith('gAAAAenc'), JSON.stringify(first.output));
    const second = await client.responses.create({ model: 't-native', input: 'And now?', previous_response_id: first.id, include: ['reasoning.encrypted_content'], reasoning: { effort: 'low' } });
    assert.equal(second.previous_response_id, first.id);
    assert.match(second.output_text, new RegExp(`\\[carried ${reasoning.encrypted_content}\\]$`));
    const sent = native.requests.at(-1)!.body;
    assert.equal(sent.previous_response_id, undefined);
    assert.deepEqual(sent.input.map((i: Record<string, unknown>) => i.type ?? 'message'), ['message', 'reasoning', 'message', 'message']);
    assert.equal(sent.input[1].encrypted_content, reasoning.encrypted_content);
    assert.equal(sent.input[2].id, undefined, 'an output message id is not sent back to a store: false upstream');

    // Without encrypted content, a reasoning item cannot go back to a store: false upstream: it is left out, with a warning.
    const plain = await client.responses.create({ model: 't-native', input: 'Think', reasoning: { effort: 'low' } });
    const res = await http(`${server.url}/v1/responses`, { json: { model: 't-native', input: 'Again?', previous_response_id: plain.id } });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['x-opensq-warnings']), /reasoning item/);
    assert.ok(!native.requests.at(-1)!.body.input.some((i: Record<string, unknown>) => i.type === 'reasoning'));
  });

  it("an item_reference to a passed-through output item (the upstream's id) is resolved from the stored response, as the AI SDK sends between steps", async () => {
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather?' }];
    const first = await client.responses.create({ model: 't-native', input, tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call' && call.id, JSON.stringify(first.output));
    assert.match(call.id, /^fc_up/, "the upstream's item id, relayed as it is");
    const second = await client.responses.create({ model: 't-native', input: [...input, { type: 'item_reference', id: call.id }, { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }], tools: [weatherTool] });
    assert.equal(second.output_text, 'The tool answered: sunny');
    const sent = native.requests.at(-1)!.body.input as Array<Record<string, unknown>>;
    assert.deepEqual(sent[1], { type: 'function_call', status: 'completed', call_id: call.call_id, name: 'get_weather', arguments: call.arguments });
    await client.responses.delete(first.id);
    await assert.rejects(client.responses.create({ model: 't-native', input: [{ type: 'item_reference', id: call.id }] }), OpenAI.BadRequestError);
  });

  it('the AI SDK 5 default path: tools over multiple steps (item_reference, then store: false by value), generateText and streamText', async () => {
    const aiSdk = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai' });
    const weather = tool({
      description: 'Weather in a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: async ({ city }) => `sunny in ${city}`,
    });
    for (const providerOptions of [undefined, { openai: { store: false } }]) {
      const result = await generateText({ model: aiSdk('t-native'), prompt: 'Weather?', tools: { get_weather: weather }, stopWhen: stepCountIs(3), providerOptions });
      assert.equal(result.steps.length, 2);
      assert.equal(result.text, 'The tool answered: sunny in Paris');
      const streamed = streamText({ model: aiSdk('t-native'), prompt: 'Weather, streamed?', tools: { get_weather: weather }, stopWhen: stepCountIs(3), providerOptions });
      let text = '';
      for await (const delta of streamed.textStream) text += delta;
      assert.equal(text, 'The tool answered: sunny in Paris');
    }
  });

  it('the OpenAI Agents SDK: an agent calls its function tool and answers from the result, unstreamed and streamed', async () => {
    // The Agents SDK pins its own major of `openai`; the client is the same shape where the SDK uses it.
    setDefaultOpenAIClient(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai' }) as never);
    setTracingDisabled(true);
    const cities: string[] = [];
    const getWeather = agentTool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        cities.push(city);
        return `sunny in ${city}`;
      },
    });
    const agent = new Agent({ name: 'Weather', instructions: 'Answer with the tool.', model: 't-native', tools: [getWeather] });
    const result = await run(agent, 'What is the weather?');
    assert.equal(result.finalOutput, 'The tool answered: sunny in Paris');
    const streamed = await run(agent, 'And now?', { stream: true });
    let text = '';
    for await (const chunk of streamed.toTextStream()) text += chunk;
    await streamed.completed;
    assert.equal(text, 'The tool answered: sunny in Paris');
    assert.deepEqual(cities, ['Paris', 'Paris']);
  });

  it('upstream errors keep OpenAI shapes: a 400 as the upstream said it, a 500 as a 502, a mid-stream error relayed once', async () => {
    await assert.rejects(client.responses.create({ model: 't-native', input: 'x #fail-400' }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(error.message, /Supported values are/);
      return true;
    });
    await assert.rejects(client.responses.create({ model: 't-native', input: 'x #fail-500' }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError && error.status === 502, String(error));
      return true;
    });
    const res = await http(`${server.url}/v1/responses`, { json: { model: 't-native', input: 'x #fail-midstream', stream: true } });
    assert.equal(res.status, 200);
    const frames = res.text.split('\n\n').filter(Boolean);
    const errors = frames.filter((f) => f.startsWith('event: error'));
    assert.equal(errors.length, 1, res.text);
    assert.match(errors[0], /The model failed mid-answer/);
    const id = /"id":"(resp_[0-9a-f]{32})"/.exec(res.text)?.[1];
    assert.ok(id, res.text);
    const usage = await row(id);
    assert.equal(usage?.status, 'error');
  });

  it('a deployment without the Responses API refuses a built-in tool with a 400 naming it; function tools still work there', async () => {
    for (const model of ['t-chat', 't-anthropic']) {
      await assert.rejects(client.responses.create({ model, input: 'Search', tools: [weatherTool, searchTool] }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, 'tools[1]');
        assert.match(error.message, /built-in tool "web_search_preview"/);
        return true;
      });
      const answered = await client.responses.create({ model, input: 'Weather?', tools: [weatherTool] });
      assert.ok(answered.output.some((item) => item.type === 'function_call'), `${model}: ${JSON.stringify(answered.output)}`);
    }
  });
});
