/**
 * The seed documentation's tool examples, run with the `openai` package against a real server
 * whose catalog model `command-r-plus` goes to its default Cohere deployment, configured only by
 * COHERE_API_KEY and COHERE_BASE_URL pointing at a fake speaking Cohere's v2 wire format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_COHERE_KEY, type FakeCohere, startFakeCohere } from '../fakes/cohere-upstream.js';
import { http, sseDataLines } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeCohere;
let server: ServerProcess;
let client: OpenAI;

before(async () => {
  upstream = await startFakeCohere();
  const config = [
    'providers:',
    '  cohere-wrong-key:',
    '    type: cohere',
    `    base_url: ${upstream.url}`,
    '    api_key: co-not-the-right-key',
    'models:',
    '  cohere-bad-key:',
    '    deployments: [ { provider: cohere-wrong-key, model: command-r-plus } ]',
    '  cohere-gone:',
    '    deployments: [ { provider: cohere, model: command-r-minus } ]',
    '  cohere-embed:',
    '    kind: embedding',
    '    deployments: [ { provider: cohere, model: embed-v4.0 } ]',
    ...openToPublicKey(['command-r-plus']),
  ].join('\n');
  server = await startServer({ env: { COHERE_API_KEY: FAKE_COHERE_KEY, COHERE_BASE_URL: upstream.url }, config: `${config}\n` });
  client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai', maxRetries: 0 });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const lastSent = () => upstream.requests.at(-1)!;

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a given location',
    parameters: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
  },
};

const searchTool = {
  type: 'function' as const,
  function: {
    name: 'search_products',
    description: 'Searches the product database for items matching a specific query. Can filter by price range and category.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: "The search term for the product, e.g., 'smartphone'." },
        min_price: { type: 'number', description: 'The minimum price of the product.' },
        max_price: { type: 'number', description: 'The maximum price of the product.' },
        category: { type: 'string', description: "The product category, e.g., 'electronics' or 'clothing'." },
      },
      required: ['query'],
    },
  },
};

/** The seed's mock product search. */
function searchProducts(query: string, minPrice?: number, maxPrice?: number, category?: string) {
  const mockDb = [
    { name: 'Laptop Pro', price: 1200, category: 'electronics' },
    { name: 'Gaming Mouse', price: 75, category: 'electronics' },
    { name: 'T-shirt', price: 25, category: 'clothing' },
    { name: 'Fancy Phone', price: 950, category: 'electronics' },
  ];
  let results = mockDb.filter((p) => p.name.toLowerCase().includes(query.toLowerCase()));
  if (minPrice) results = results.filter((p) => p.price >= minPrice);
  if (maxPrice) results = results.filter((p) => p.price <= maxPrice);
  if (category) results = results.filter((p) => p.category.toLowerCase() === category.toLowerCase());
  return results;
}

async function streamedText(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    assert.equal(chunk.model, 'command-r-plus');
    text += chunk.choices[0]?.delta.content ?? '';
  }
  return text;
}

describe('seed on Cohere: tool calling', () => {
  it('Tool calling (weather): tools with tool_choice auto, then the tool result with a streamed answer', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }];
    const response = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [weatherTool], tool_choice: 'auto' });
    assert.equal(response.model, 'command-r-plus');
    assert.equal(response.choices[0].finish_reason, 'tool_calls');
    const toolCall = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(toolCall.function.arguments), { latitude: 48.8566, longitude: 2.3522 });
    assert.equal((response.choices[0].message as unknown as { reasoning_content: string }).reasoning_content, 'I will use get_weather.', "Cohere's tool plan is surfaced as reasoning");

    const first = lastSent();
    assert.equal(first.path, '/v2/chat');
    assert.equal(first.headers.authorization, `Bearer ${FAKE_COHERE_KEY}`);
    assert.deepEqual(first.body, { model: 'command-r-plus', messages: inputMessages, stream: false, tools: [weatherTool] }, 'auto is the absence of tool_choice for Cohere');

    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, name: 'get_weather', content: '12.3' } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const stream = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [weatherTool], stream: true });
    assert.equal(await streamedText(stream), 'The tool answered: 12.3');

    const second = lastSent().body;
    assert.equal(second.stream, true);
    assert.deepEqual((second.messages as unknown[]).slice(1), [
      { role: 'assistant', tool_calls: [{ id: toolCall.id, type: 'function', function: { name: 'get_weather', arguments: toolCall.function.arguments } }], tool_plan: 'I will use get_weather.' },
      { role: 'tool', tool_call_id: toolCall.id, content: '12.3' },
    ]);
  });

  it('Tool calling, streamed throughout: the call arrives as deltas with id and name once, then the answer with usage', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "What's the weather like in Paris today?" }];
    const stream = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [weatherTool], tool_choice: 'auto', stream: true });
    const call = { id: '', name: '', args: '', ids: 0, names: 0 };
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        assert.equal(delta.index, 0);
        if (delta.id) (call.id = delta.id), call.ids++;
        if (delta.function?.name) (call.name = delta.function.name), call.names++;
        call.args += delta.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.deepEqual([call.name, call.ids, call.names], ['get_weather', 1, 1]);
    assert.deepEqual(JSON.parse(call.args), { latitude: 48.8566, longitude: 2.3522 });

    inputMessages.push({ role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.args } }] });
    inputMessages.push({ role: 'tool', tool_call_id: call.id, content: '{"temperature": 12.3}' });
    const answer = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [weatherTool], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of answer) chunks.push(chunk);
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'The tool answered: {"temperature": 12.3}');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage!.prompt_tokens > 0 && last.usage!.completion_tokens > 0);
  });

  it('Tool building (product search): the call, the mock search, and the final answer', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "I'm looking for an electronic device that costs less than $1000." }];
    const response = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [searchTool], tool_choice: 'auto' });
    const toolCall = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, 'search_products');
    assert.deepEqual(lastSent().body.tools, [searchTool]);

    const args = JSON.parse(toolCall.function.arguments) as { query?: string; min_price?: number; max_price?: number; category?: string };
    const resultContent = JSON.stringify(searchProducts(args.query ?? '', args.min_price, args.max_price, args.category));
    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, name: 'search_products', content: resultContent } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const response2 = await client.chat.completions.create({ model: 'command-r-plus', messages: inputMessages, tools: [searchTool] });
    assert.equal(response2.choices[0].message.content, `The tool answered: ${resultContent}`);
    assert.equal(response2.choices[0].finish_reason, 'stop');
  });

  it('a named tool_choice is offered as the only tool with REQUIRED, which loses nothing: no warning', async () => {
    const res = await http(`${server.url}/v1/chat/completions`, {
      json: { model: 'command-r-plus', messages: [{ role: 'user', content: 'find a phone' }], tools: [weatherTool, searchTool], tool_choice: { type: 'function', function: { name: 'search_products' } } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.tool_calls[0].function.name, 'search_products');
    assert.equal(res.headers['x-opensq-warnings'], undefined);
    assert.deepEqual([lastSent().body.tools, lastSent().body.tool_choice], [[searchTool], 'REQUIRED']);
  });
});

describe('seed on Cohere: errors and embeddings', () => {
  it("Cohere's refusals reach clients with honest statuses", async () => {
    const ask = (model: string, content = 'hi') => http(`${server.url}/v1/chat/completions`, { json: { model, messages: [{ role: 'user', content }] } });
    const badKey = await ask('cohere-bad-key');
    assert.deepEqual([badKey.status, badKey.json.error.code], [502, 'upstream_auth_error'], "the gateway's key failed, not the client's");
    const gone = await ask('cohere-gone');
    assert.deepEqual([gone.status, gone.json.error.code], [502, 'upstream_error']);
    const bad = await ask('command-r-plus', '#bad-request');
    assert.deepEqual([bad.status, bad.json.error.message], [400, 'invalid request: temperature must be a non-negative number']);
    const limited = await ask('command-r-plus', '#rate-limit');
    assert.deepEqual([limited.status, limited.headers['retry-after']], [429, '7']);
    const noToolCallId = await http(`${server.url}/v1/chat/completions`, { json: { model: 'command-r-plus', messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: '1' }] } });
    assert.deepEqual([noToolCallId.status, noToolCallId.json.error.param], [400, 'messages[1].tool_call_id']);
  });

  it('an answer that is not Cohere JSON is a 502; a connection cut mid-stream ends with an error event and [DONE]', async () => {
    for (const stream of [false, true]) {
      const res = await http(`${server.url}/v1/chat/completions`, { json: { model: 'command-r-plus', stream, messages: [{ role: 'user', content: '#not-json' }] } });
      assert.deepEqual([res.status, res.json.error.code], [502, 'upstream_error'], res.text);
    }
    const cut = await http(`${server.url}/v1/chat/completions`, { json: { model: 'command-r-plus', stream: true, messages: [{ role: 'user', content: 'cut me #reset' }] } });
    const lines = sseDataLines(cut.text);
    assert.match(JSON.parse(lines[0]).choices[0].delta.content, /^Echo/);
    assert.equal(lines.at(-1), '[DONE]');
    assert.equal(JSON.parse(lines.at(-2)!).error.code, 'upstream_error');
  });

  it('the fake refuses what Cohere refuses, in Cohere’s error shape', async () => {
    const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${FAKE_COHERE_KEY}` }) =>
      typeof body === 'string'
        ? http(`${upstream.url}/v2/chat`, { headers: { ...headers, 'content-type': 'application/json' }, body })
        : http(`${upstream.url}/v2/chat`, { headers, json: body });
    const ok = { model: 'command-r-plus', messages: [{ role: 'user', content: 'hi' }] };
    const cases: Array<[Promise<Awaited<ReturnType<typeof http>>>, number, RegExp]> = [
      [post(ok, {}), 401, /^no api key supplied$/],
      [post(ok, { authorization: 'Bearer co-wrong' }), 401, /^invalid api token$/],
      [post('{"model":'), 400, /^invalid request/],
      [post({ model: 'command-r-plus', messages: [] }), 400, /^invalid request/],
      [post({ ...ok, messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: '1' }] }), 400, /tool_call_id/],
      [post({ ...ok, tool_choice: 'AUTO', tools: [weatherTool] }), 400, /tool_choice/],
      [post({ ...ok, top_p: 0.5 }), 422, /^unknown field: parameter 'top_p' is not a valid field/],
      [post({ ...ok, tools: [{ ...weatherTool, function: { ...weatherTool.function, strict: true } }] }), 422, /parameter 'strict'/],
      [post({ ...ok, model: 'command-r-minus' }), 404, /^model 'command-r-minus' not found/],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      assert.equal(res.status, status, res.text);
      assert.deepEqual(Object.keys(res.json).sort(), ['id', 'message']);
      assert.match(res.json.message, message);
    }
  });

  it('embeddings: more texts than Cohere takes in one call are batched, in order', async () => {
    const input = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const before = upstream.requests.length;
    const result = await client.embeddings.create({ model: 'cohere-embed', input, encoding_format: 'float' });
    assert.deepEqual(result.data.map((d) => d.index), input.map((_, i) => i));
    assert.equal(result.data[99].embedding[0], Math.fround(4 / 2), 'the 100th vector is the 4th of the second batch');
    const sent = upstream.requests.slice(before);
    assert.deepEqual(sent.map((r) => [r.path, (r.body.texts as string[]).length, r.body.input_type]), [['/v2/embed', 96, 'search_document'], ['/v2/embed', 4, 'search_document']]);
    assert.ok(result.usage.prompt_tokens > 0);
  });
});
