/**
 * The seed documentation's tool and image examples, run with the `openai` package (and API2.0 as
 * plain HTTP) on the catalog model `claude-3.5-sonnet`, against a real server process whose
 * Anthropic provider is configured only by ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL pointing at a
 * fake speaking the Messages API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { TOOL_ARGUMENTS } from '../fakes/fake-behaviour.js';
import { http, sseDataLines } from '../support/http.js';
import { openToPublicKey, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeAnthropic;
let server: ServerProcess;
let client: OpenAI;
const model = 'claude-3.5-sonnet';

before(async () => {
  upstream = await startFakeAnthropic();
  server = await startServer({ env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: upstream.url }, config: ['models:', ...openToPublicKey([model]), ''].join('\n') });
  client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const weatherParameters = { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] };
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a given location', parameters: weatherParameters } },
];
const paris = "What's the weather like in Paris today? 48°51′24″N 2°21′8″E";

const searchParameters = {
  type: 'object',
  properties: {
    query: { type: 'string', description: "The search term for the product, e.g., 'smartphone'." },
    min_price: { type: 'number', description: 'The minimum price of the product.' },
    max_price: { type: 'number', description: 'The maximum price of the product.' },
    category: { type: 'string', description: "The product category, e.g., 'electronics' or 'clothing'." },
  },
  required: ['query'],
};
const searchTools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'search_products', description: 'Searches the product database for items matching a specific query. Can filter by price range and category.', parameters: searchParameters },
  },
];

/** The seed's mock product search. */
function searchProducts(query: string, minPrice?: number, maxPrice?: number, category?: string) {
  const mockDb = [
    { name: 'Laptop Pro', price: 1200, category: 'electronics' },
    { name: 'Gaming Mouse', price: 75, category: 'electronics' },
    { name: 'T-shirt', price: 25, category: 'clothing' },
    { name: 'Fancy Phone', price: 950, category: 'electronics' },
  ];
  return mockDb.filter(
    (p) => p.name.toLowerCase().includes(query.toLowerCase()) && (!minPrice || p.price >= minPrice) && (!maxPrice || p.price <= maxPrice) && (!category || p.category === category.toLowerCase()),
  );
}

function imageRequest(base: string) {
  return [
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: 'What on this image?' },
        { type: 'image_url' as const, image_url: { url: `data:image/jpeg;base64,${base}` } },
      ],
    },
  ];
}

describe('seed on claude-3.5-sonnet (Anthropic Messages API upstream)', () => {
  it('Getting the weather: a tool call with tool_choice auto, then the tool result in a second call', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: paris }];
    const { data: response, response: raw } = await client.chat.completions.create({ model, messages: inputMessages, tools, tool_choice: 'auto' }).withResponse();
    assert.equal(raw.headers.get('x-opensq-provider'), 'anthropic');
    assert.equal(response.model, model);
    assert.equal(response.choices[0].finish_reason, 'tool_calls');
    const toolCall = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, 'get_weather');
    const functionArgs = JSON.parse(toolCall.function.arguments);
    assert.deepEqual(functionArgs, { latitude: 48.8566, longitude: 2.3522 });

    const first = upstream.requests.at(-1)!;
    assert.equal(first.path, '/v1/messages');
    assert.equal(first.headers['x-api-key'], FAKE_ANTHROPIC_KEY, 'the gateway uses its own upstream key');
    assert.equal(first.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(first.body, {
      model: 'claude-3-5-sonnet-latest',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: paris }] }],
      tools: [{ name: 'get_weather', description: 'Get the current weather for a given location', input_schema: weatherParameters }],
      tool_choice: { type: 'auto' },
    });

    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, name: 'get_weather', content: String(12.3) } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const response2 = await client.chat.completions.create({ model, messages: inputMessages, tools });
    assert.equal(response2.choices[0].message.content, 'The tool answered: 12.3');
    assert.equal(response2.choices[0].finish_reason, 'stop');
    assert.deepEqual(upstream.requests.at(-1)!.body.messages, [
      { role: 'user', content: [{ type: 'text', text: paris }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: toolCall.id, name: 'get_weather', input: functionArgs }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolCall.id, content: '12.3' }] },
    ]);
  });

  it('Tool calling with streaming: the second call streams the final answer', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: paris }];
    const response = await client.chat.completions.create({ model, messages: inputMessages, tools, tool_choice: 'auto' });
    assert.ok(response.choices[0].message.tool_calls);
    const toolCall = response.choices[0].message.tool_calls[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, name: toolCall.function.name, content: '12.3' } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const stream = await client.chat.completions.create({ model, messages: inputMessages, tools, stream: true });
    let printed = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.model, model);
      const content = chunk.choices[0].delta.content;
      if (content) printed += content;
    }
    assert.equal(printed, 'The tool answered: 12.3');
    assert.ok(chunks > 3, 'streamed in pieces');
    assert.equal(upstream.requests.at(-1)!.body.stream, true);
  });

  it('Streaming tool calls: arguments arrive as deltas with index, and id and name once', async () => {
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: paris }], tools, tool_choice: 'auto', stream: true });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.ok(deltas.length > 2, 'arguments in several deltas');
    assert.ok(deltas.every((d) => d.index === 0));
    assert.deepEqual(deltas.filter((d) => d.id).map((d) => d.function?.name), ['get_weather']);
    assert.deepEqual(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join('')), TOOL_ARGUMENTS[0]);
  });

  it('Tool building: the product search tool, executed, and its JSON result answered', async () => {
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "I'm looking for an electronic device that costs less than $1000." }];
    const response = await client.chat.completions.create({ model, messages: inputMessages, tools: searchTools, tool_choice: 'auto' });
    const toolCall = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, 'search_products');
    const functionArgs = JSON.parse(toolCall.function.arguments);
    const resultContent = JSON.stringify(searchProducts(functionArgs.query ?? '', functionArgs.min_price, functionArgs.max_price, functionArgs.category));
    assert.deepEqual(upstream.requests.at(-1)!.body.tools, [
      { name: 'search_products', description: 'Searches the product database for items matching a specific query. Can filter by price range and category.', input_schema: searchParameters },
    ]);

    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, name: 'search_products', content: resultContent } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const response2 = await client.chat.completions.create({ model, messages: inputMessages, tools: searchTools });
    assert.equal(response2.choices[0].message.content, `The tool answered: ${resultContent}`);
    const lastTurn = (upstream.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown[] }>).at(-1)!;
    assert.deepEqual(lastTurn, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolCall.id, content: resultContent }] });
  });

  it('Image understanding (OpenAI SDK): a data: URL image becomes a base64 image block', async () => {
    const base = Buffer.from('fake jpeg bytes').toString('base64');
    const completion = await client.chat.completions.create({ model, messages: imageRequest(base) });
    assert.equal(completion.choices[0].message.content, 'I see an image (image/jpeg, 15 bytes).');
    assert.deepEqual(upstream.requests.at(-1)!.body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What on this image?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: base } },
        ],
      },
    ]);
  });

  it('Image understanding over API2.0, without any header', async () => {
    const base = Buffer.from('0123456789').toString('base64');
    const response = await http(`${server.url}/ai/v2`, { json: { model, request: { messages: imageRequest(base) } } });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.choices[0].message.content, 'I see an image (image/jpeg, 10 bytes).');
    assert.equal(response.json.model, model);
    assert.equal(response.json.user, 0);
    assert.equal(response.json.choices[0].message.refusal, null);
    assert.ok(Number.isInteger(response.json.usage.prompt_tokens) && response.json.usage.prompt_tokens > 0);
  });

  it('API2.0 streaming: data: lines of chunks, then [DONE]', async () => {
    const response = await http(`${server.url}/ai/v2`, { json: { model, request: { messages: [{ role: 'user', content: 'Write a one-line story about AI.' }], stream: true } } });
    assert.equal(response.status, 200);
    const lines = sseDataLines(response.text);
    assert.equal(lines.at(-1), '[DONE]');
    const printed = lines.slice(0, -1).map((line) => JSON.parse(line).choices[0]?.delta.content ?? '').join('');
    assert.equal(printed, 'Echo: Write a one-line story about AI.');
  });
});
