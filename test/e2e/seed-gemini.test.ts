/**
 * The seed documentation's Gemini examples, run unchanged (base URL aside, and the external weather
 * API and product database replaced by stubs) with the `openai` package and plain HTTP against a
 * real server process whose Gemini provider (GEMINI_API_KEY, GEMINI_BASE_URL) is the fake Gemini
 * API. They reach it through the default catalog, translated to Gemini's own wire format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeGemini;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeGemini();
  server = await startServer({ env: { GEMINI_API_KEY: FAKE_GEMINI_KEY, GEMINI_BASE_URL: upstream.url } });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

/** Stands in for the seed's call to api.open-meteo.com. */
function get_weather(latitude: number, longitude: number): number {
  assert.equal(typeof latitude, 'number');
  assert.equal(typeof longitude, 'number');
  return 12.3;
}

const weatherTools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Get the current weather for a given location',
      parameters: {
        type: 'object',
        properties: {
          latitude: { type: 'number' },
          longitude: { type: 'number' },
        },
        required: ['latitude', 'longitude'],
      },
    },
  },
];

const weatherDeclaration = {
  name: 'get_weather',
  description: 'Get the current weather for a given location',
  parameters: { type: 'OBJECT', properties: { latitude: { type: 'NUMBER' }, longitude: { type: 'NUMBER' } }, required: ['latitude', 'longitude'] },
};

const lastRequest = () => upstream.requests.at(-1)!;

describe('seed: Gemini examples against the Gemini API', () => {
  it('Tool calling: get_weather on gemini-2.0-flash, then the tool result in a second call', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const input_messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }];

    const response = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools: weatherTools, tool_choice: 'auto' });
    const first = lastRequest();
    assert.equal(first.path, '/v1beta/models/gemini-2.0-flash:generateContent');
    assert.equal(first.headers['x-goog-api-key'], FAKE_GEMINI_KEY, 'the gateway uses its own Gemini key');
    assert.deepEqual(first.body, {
      contents: [{ role: 'user', parts: [{ text: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }] }],
      tools: [{ functionDeclarations: [weatherDeclaration] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    });

    const tool_call = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    const function_name = tool_call.function.name;
    const function_args = JSON.parse(tool_call.function.arguments);
    assert.equal(response.choices[0].finish_reason, 'tool_calls');
    assert.match(tool_call.id, /^call_[0-9a-f]{32}_0$/);
    assert.deepEqual(function_args, { latitude: 48.8566, longitude: 2.3522 });

    let result: number | string;
    if (function_name === 'get_weather') result = get_weather(function_args.latitude, function_args.longitude);
    else result = 'Unknown function called.';

    input_messages.push(response.choices[0].message);
    input_messages.push({ role: 'tool', tool_call_id: tool_call.id, name: function_name, content: String(result) } as OpenAI.Chat.ChatCompletionToolMessageParam);

    const response_2 = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools: weatherTools });
    assert.equal(response_2.choices[0].message.content, 'The tool answered: 12.3');
    assert.equal(response_2.model, 'gemini-2.0-flash');
    assert.deepEqual(lastRequest().body.contents, [
      { role: 'user', parts: [{ text: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { latitude: 48.8566, longitude: 2.3522 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: '12.3' } } }] },
    ]);
  });

  it('Streaming tool calls: the tool result answered as a stream', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const input_messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }];
    const response = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools: weatherTools, tool_choice: 'auto' });

    let printed = '';
    if (response.choices[0].message.tool_calls) {
      const tool_call = response.choices[0].message.tool_calls[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      const function_name = tool_call.function.name;
      const function_args = JSON.parse(tool_call.function.arguments);
      if (function_name === 'get_weather') {
        const result = get_weather(function_args.latitude, function_args.longitude);
        input_messages.push(response.choices[0].message);
        input_messages.push({ role: 'tool', tool_call_id: tool_call.id, name: function_name, content: String(result) } as OpenAI.Chat.ChatCompletionToolMessageParam);
        const stream = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools: weatherTools, stream: true });
        for await (const chunk of stream) {
          const content = chunk.choices[0].delta.content;
          if (content) printed += content;
        }
      } else printed = 'Unknown function called.';
    } else printed = response.choices[0].message.content ?? '';

    assert.equal(printed, 'The tool answered: 12.3');
    assert.equal(lastRequest().path, '/v1beta/models/gemini-2.0-flash:streamGenerateContent');
    assert.equal(lastRequest().query.get('alt'), 'sse');
  });

  it('Tool building: the product search flow, with a JSON list as the tool result', async () => {
    const tools = [
      {
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
      },
    ];

    function search_products(query: string, min_price?: number, max_price?: number, category?: string) {
      const mock_db = [
        { name: 'Laptop Pro', price: 1200, category: 'electronics' },
        { name: 'Gaming Mouse', price: 75, category: 'electronics' },
        { name: 'T-shirt', price: 25, category: 'clothing' },
        { name: 'Fancy Phone', price: 950, category: 'electronics' },
      ];
      let results = mock_db.filter((p) => p.name.toLowerCase().includes(query.toLowerCase()));
      if (min_price) results = results.filter((p) => p.price >= min_price);
      if (max_price) results = results.filter((p) => p.price <= max_price);
      if (category) results = results.filter((p) => p.category.toLowerCase() === category.toLowerCase());
      return results;
    }

    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const input_messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: "I'm looking for an electronic device that costs less than $1000." }];
    const response = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools, tool_choice: 'auto' });
    assert.deepEqual((lastRequest().body.tools as Array<{ functionDeclarations: Array<{ parameters: unknown }> }>)[0].functionDeclarations[0].parameters, {
      type: 'OBJECT',
      properties: {
        query: { type: 'STRING', description: "The search term for the product, e.g., 'smartphone'." },
        min_price: { type: 'NUMBER', description: 'The minimum price of the product.' },
        max_price: { type: 'NUMBER', description: 'The maximum price of the product.' },
        category: { type: 'STRING', description: "The product category, e.g., 'electronics' or 'clothing'." },
      },
      required: ['query'],
    });

    const tool_call = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    const function_name = tool_call.function.name;
    const function_args = JSON.parse(tool_call.function.arguments);
    let result_content: string;
    if (function_name === 'search_products') {
      const search_results = search_products(function_args.query ?? '', function_args.min_price, function_args.max_price, function_args.category);
      result_content = JSON.stringify(search_results);
    } else result_content = 'Unknown function called.';

    input_messages.push(response.choices[0].message);
    input_messages.push({ role: 'tool', tool_call_id: tool_call.id, name: function_name, content: result_content } as OpenAI.Chat.ChatCompletionToolMessageParam);
    const response_2 = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: input_messages, tools });

    assert.equal(function_name, 'search_products');
    assert.equal(result_content, JSON.stringify(search_products('')));
    assert.equal(response_2.choices[0].message.content, `The tool answered: ${result_content}`);
    const sent = lastRequest().body.contents as Array<{ parts: unknown[] }>;
    assert.deepEqual(sent[2].parts, [{ functionResponse: { name: 'search_products', response: { result: result_content } } }], 'a list is not an object: wrapped');
  });

  it('Image understanding: a data: URL image on gemini-2.5-flash through the OpenAI SDK', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const base = Buffer.from('fake jpeg bytes').toString('base64');
    const completion = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What on this image?' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${base}` } },
          ],
        },
      ],
    });
    assert.equal(completion.choices[0].message.content, 'I see an image (image/jpeg, 15 bytes).');
    assert.equal(lastRequest().path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.deepEqual(lastRequest().body.contents, [{ role: 'user', parts: [{ text: 'What on this image?' }, { inlineData: { mimeType: 'image/jpeg', data: base } }] }]);
  });

  it('Image understanding over API2.0', async () => {
    const base = Buffer.from('0123456789').toString('base64');
    const send = {
      model: 'gemini-2.5-flash',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What on this image?' },
              { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${base}` } },
            ],
          },
        ],
      },
    };
    const response = await http(`${server.url}/ai/v2`, { json: send });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers['x-opensq-provider'], 'gemini');
    assert.equal(response.json.choices[0].message.content, 'I see an image (image/jpeg, 10 bytes).');
    assert.equal(response.json.user, 0);
    assert.equal(response.json.usage.total_tokens, response.json.usage.prompt_tokens + response.json.usage.completion_tokens);
  });
});
