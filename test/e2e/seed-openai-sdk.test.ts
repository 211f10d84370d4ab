/**
 * The seed documentation's OpenAI-SDK examples, run unchanged (base URL aside) with the `openai`
 * package against a real server process whose upstream is a fake speaking OpenAI's wire format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { fakeProviderConfig, type ServerProcess, startServer } from '../support/server-process.js';

let upstream: FakeOpenAI;
let server: ServerProcess;

before(async () => {
  upstream = await startFakeOpenAI();
  server = await startServer({
    env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, FAKE_UPSTREAM_KEY: FAKE_KEY },
    config: fakeProviderConfig(upstream.url),
  });
});

after(async () => {
  await server?.stop();
  await upstream?.close();
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a given location',
    parameters: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
  },
};

describe('seed: OpenAI SDK examples', () => {
  it('Get started (TypeScript): a basic completion with the public key', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say 5 short facts about AI.' }],
    });
    assert.equal(completion.choices[0].message.content, 'Echo: Say 5 short facts about AI.');
    assert.equal(completion.model, 'gpt-4o-mini', 'the public model id, not the upstream dated one');
    assert.equal(completion.object, 'chat.completion');
    assert.ok(completion.usage && completion.usage.total_tokens > 0);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.body.model, 'gpt-4o-mini');
    assert.equal(sent.headers.authorization, `Bearer ${FAKE_KEY}`, 'the gateway uses its own upstream key');
  });

  it('State management: system role and multi-turn history reach the upstream unchanged', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const messages = [
      { role: 'system' as const, content: 'You are a neko-helper.' },
      { role: 'user' as const, content: "What's 5 + 5?" },
      { role: 'assistant' as const, content: 'Nya~! 5 + 5 is 10, purr-fectly simple! 😸✨' },
      { role: 'user' as const, content: 'Say what do you like' },
    ];
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(completion.choices[0].message.content, '[You are a neko-helper.] Echo: Say what do you like');
    assert.deepEqual(upstream.requests.at(-1)!.body.messages, messages);
  });

  it('Streaming with a trailing-slash base URL: every chunk has choices[0].delta', async () => {
    const client = new OpenAI({ apiKey: 'openai', baseURL: `${server.url}/ai/openai/` });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Write a one-line story about AI.' }],
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.model, 'gpt-4o-mini');
      assert.equal(chunk.object, 'chat.completion.chunk');
      text += chunk.choices[0].delta.content ?? '';
    }
    assert.equal(text, 'Echo: Write a one-line story about AI.');
    assert.ok(chunks > 5);
    const sent = upstream.requests.at(-1)!.body;
    assert.deepEqual(sent.stream_options, { include_usage: true }, 'usage is always requested upstream for the ledger');
  });

  it('Streaming with include_usage: the final chunk carries usage and empty choices', async () => {
    const client = new OpenAI({ apiKey: 'openai', baseURL: `${server.url}/v1` });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const all = [];
    for await (const chunk of stream) all.push(chunk);
    const last = all.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0);
  });

  it('Tool calling: tool_calls, then the tool result in a second call (seed weather example)', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const inputMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" },
    ];
    const response = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: inputMessages, tools: [weatherTool], tool_choice: 'auto' });
    assert.equal(response.choices[0].finish_reason, 'tool_calls');
    const toolCall = response.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, 'get_weather');
    const args = JSON.parse(toolCall.function.arguments);
    assert.equal(args.latitude, 48.8566);
    assert.deepEqual(upstream.requests.at(-1)!.body.tools, [weatherTool]);
    assert.equal(upstream.requests.at(-1)!.body.tool_choice, 'auto');

    inputMessages.push(response.choices[0].message);
    inputMessages.push({ role: 'tool', tool_call_id: toolCall.id, content: '12.3' });
    const response2 = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: inputMessages, tools: [weatherTool] });
    assert.equal(response2.choices[0].message.content, 'The tool answered: 12.3');
  });

  it('Streaming tool calls: arguments arrive as deltas with index, id and name once', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const stream = await client.chat.completions.create({
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'weather in parallel please' }],
      tools: [weatherTool, { ...weatherTool, function: { ...weatherTool.function, name: 'search_products' } }],
      stream: true,
    });
    const calls: Array<{ id?: string; name?: string; args: string; idCount: number }> = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice.finish_reason) finish = choice.finish_reason;
      for (const delta of choice.delta.tool_calls ?? []) {
        const slot = (calls[delta.index] ??= { args: '', idCount: 0 });
        if (delta.id) {
          slot.id = delta.id;
          slot.idCount++;
        }
        if (delta.function?.name) slot.name = delta.function.name;
        slot.args += delta.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.length, 2);
    assert.deepEqual(calls.map((c) => c.name), ['get_weather', 'search_products']);
    assert.deepEqual(calls.map((c) => c.idCount), [1, 1]);
    assert.deepEqual(JSON.parse(calls[1].args), { query: 'phone', max_price: 1000 });
  });

  it('Image understanding: a data: URL image part reaches the model', async () => {
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
  });

  it('models.list() returns the catalog in OpenAI shape', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai' });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes('gpt-4o-mini'));
    assert.ok(ids.includes('gemini-2.5-flash'));
    const one = await client.models.retrieve('gpt-4o-mini');
    assert.equal(one.owned_by, 'openai');
  });

  it('SDK errors: unknown model is a NotFoundError, bad key an AuthenticationError, upstream 400 a BadRequestError', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai', maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
    const bad = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'sq-not-a-key', maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '#bad-request' }] }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'temperature',
    );
  });
});
