/**
 * The contract suite: the same scenarios, with the same expected answers, over every provider
 * type, each against a fake speaking that provider's wire format (see test/fakes/fake-behaviour.ts
 * for what every fake answers). Every response, chunk and error must also validate against
 * OpenAI's own schemas. A scenario a provider does not support must be refused or warned about.
 * `local` runs a real (tiny) model: its answers are checked by shape, not text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { PROVIDER_TYPES } from '../../src/providers/index.js';
import type { Capabilities } from '../../src/providers/types.js';
import { TOOL_ARGUMENTS } from '../fakes/fake-behaviour.js';
import { http, sseDataLines } from '../support/http.js';
import { assertOpenAISchema } from '../support/openai-schemas.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { CONTRACT_PROVIDERS, type RunningFake } from './contract-providers.js';

const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather at a place', parameters: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] } } };
const search = { type: 'function' as const, function: { name: 'search_products', description: 'Search products', parameters: { type: 'object', properties: { query: { type: 'string' }, max_price: { type: 'number' } }, required: ['query'] } } };
const answerSchema = { type: 'object', properties: { answer: { type: 'string', maxLength: 40 } }, required: ['answer'] };
// A 44-byte WAV header with no samples: enough for a provider to pass it on.
const WAV = Buffer.from('524946462400000057415645666d74201000000001000100401f0000803e0000020010006461746100000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d5f1a10000000049454e44ae426082', 'hex');

for (const provider of CONTRACT_PROVIDERS) {
  const capabilities = PROVIDER_TYPES.get(provider.type)!.capabilities;
  /** A scenario's skip: false when the provider declares the feature, else the reason the summary prints. */
  const unless = (declared: boolean | undefined, feature: string): false | string => (declared ? false : `${provider.type} does not declare ${feature}`);

  describe(`contract: ${provider.type}`, () => {
    let fake: RunningFake;
    let server: ServerProcess;
    let client: OpenAI;
    const model = 'contract-chat';

    before(async () => {
      fake = await provider.start();
      const config = [
        'providers:',
        '  under-test:',
        `    type: ${provider.type}`,
        ...(fake.baseUrl ? [`    base_url: ${fake.baseUrl}`] : []),
        ...(fake.apiKey ? [`    api_key: ${fake.apiKey}`] : []),
        ...(fake.options ? [`    options: ${JSON.stringify(fake.options)}`] : []),
        'models:',
        `  ${model}:`,
        `    deployments: [ { provider: under-test, model: ${provider.chatModel} } ]`,
        ...(provider.embeddingModel ? ['  contract-embed:', '    kind: embedding', `    deployments: [ { provider: under-test, model: ${provider.embeddingModel} } ]`] : []),
      ].join('\n');
      server = await startServer({ config: `${config}\n` });
      client = new OpenAI({ baseURL: `${server.url}/ai/openai`, apiKey: 'openai', maxRetries: 0 });
    });
    after(async () => {
      await server?.stop();
      await fake?.close();
    });

    async function complete(params: Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, 'model'>) {
      const { data, response } = await client.chat.completions.create({ model, ...params }).withResponse();
      const raw = JSON.parse(JSON.stringify(data));
      assertOpenAISchema('CreateChatCompletionResponse', raw);
      assert.equal(data.model, model);
      return { data, response };
    }

    async function streamChunks(params: Omit<OpenAI.Chat.ChatCompletionCreateParamsStreaming, 'model' | 'stream'>) {
      const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
      for await (const chunk of await client.chat.completions.create({ model, stream: true, ...params })) {
        assertOpenAISchema('CreateChatCompletionStreamResponse', JSON.parse(JSON.stringify(chunk)));
        assert.equal(chunk.model, model);
        chunks.push(chunk);
      }
      return chunks;
    }

    const user = (content: string): OpenAI.Chat.ChatCompletionMessageParam[] => [{ role: 'user', content }];

    /** The scripted answer from a fake; from a real model, some text that ended as it may. */
    function assertAnswer(content: string | null | undefined, finish: string | null | undefined, scripted: string): void {
      if (provider.scripted) {
        assert.equal(content, scripted);
        assert.equal(finish, 'stop');
      } else {
        assert.ok(typeof content === 'string' && content.length > 0, 'the model wrote something');
        assert.ok(finish === 'stop' || finish === 'length', String(finish));
      }
    }

    it('text', async () => {
      const { data } = await complete({ messages: user('hello there'), ...(!provider.scripted && { max_tokens: 16 }) });
      assertAnswer(data.choices[0].message.content, data.choices[0].finish_reason, 'Echo: hello there');
      assert.ok(data.usage!.prompt_tokens > 0 && data.usage!.completion_tokens > 0);
    });

    it('system and developer prompts', async () => {
      const { data } = await complete({ messages: [{ role: 'system', content: 'You are terse.' }, ...user('hi')], ...(!provider.scripted && { max_tokens: 16 }) });
      assertAnswer(data.choices[0].message.content, data.choices[0].finish_reason, '[You are terse.] Echo: hi');
    });

    it('multi-turn history', async () => {
      const { data } = await complete({ messages: [...user('first'), { role: 'assistant', content: 'Echo: first' }, ...user('second')], ...(!provider.scripted && { max_tokens: 16 }) });
      assertAnswer(data.choices[0].message.content, data.choices[0].finish_reason, 'Echo: second');
    });

    it('max_tokens stops with length', async () => {
      const { data } = await complete({ messages: user('one two three four five'), max_tokens: 3 });
      if (provider.scripted) {
        assert.equal(data.choices[0].finish_reason, 'length');
        assert.equal(data.choices[0].message.content, 'Echo: one two');
      } else {
        assert.ok(data.usage!.completion_tokens <= 3, `${data.usage!.completion_tokens} tokens`);
        assert.ok(data.choices[0].finish_reason === 'length' || data.usage!.completion_tokens < 3);
      }
    });

    it('streaming', { skip: unless(capabilities.streaming, 'streaming') }, async () => {
      const chunks = await streamChunks({ messages: user('stream this'), ...(!provider.scripted && { max_tokens: 16 }) });
      assertAnswer(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), chunks.at(-1)!.choices[0].finish_reason, 'Echo: stream this');
      assert.equal(chunks.find((c) => c.choices[0]?.delta.role)?.choices[0].delta.role, 'assistant');
    });

    it('usage in stream', { skip: unless(capabilities.usageInStream, 'usageInStream') }, async () => {
      const chunks = await streamChunks({ messages: user('count'), stream_options: { include_usage: true }, ...(!provider.scripted && { max_tokens: 16 }) });
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.ok(last.usage!.prompt_tokens > 0 && last.usage!.completion_tokens > 0);
      assert.equal(last.usage!.total_tokens, last.usage!.prompt_tokens + last.usage!.completion_tokens);
    });

    it('tools', { skip: unless(capabilities.tools, 'tools') }, async () => {
      const { data } = await complete({ messages: user('weather?'), tools: [weather], tool_choice: 'auto' });
      const choice = data.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      const call = choice.message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), TOOL_ARGUMENTS[0]);
      assert.ok(call.id.length > 0);
    });

    it('tool_choice none and named', { skip: unless(capabilities.toolChoice, 'toolChoice') }, async () => {
      const none = await complete({ messages: user('no tools now'), tools: [weather], tool_choice: 'none' });
      assert.equal(none.data.choices[0].message.content, 'Echo: no tools now');
      const named = await complete({ messages: user('use search'), tools: [weather, search], tool_choice: { type: 'function', function: { name: 'search_products' } } });
      assert.equal((named.data.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.name, 'search_products');
    });

    it('streamed tool calls: id and name once, arguments as deltas', { skip: unless(capabilities.streamedTools, 'streamedTools') }, async () => {
      const chunks = await streamChunks({ messages: user('weather?'), tools: [weather] });
      const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      assert.equal(deltas.filter((d) => d.id).length, 1);
      assert.equal(deltas.filter((d) => d.function?.name).length, 1);
      assert.ok(deltas.every((d) => d.index === 0));
      assert.deepEqual(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join('')), TOOL_ARGUMENTS[0]);
      assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'tool_calls');
    });

    it('parallel tool calls, streamed with correct indexes', { skip: unless(capabilities.parallelTools, 'parallelTools') }, async () => {
      const { data } = await complete({ messages: user('do both in parallel'), tools: [weather, search] });
      assert.deepEqual(data.choices[0].message.tool_calls!.map((c) => (c as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function.name), ['get_weather', 'search_products']);
      const chunks = await streamChunks({ messages: user('do both in parallel'), tools: [weather, search] });
      const byIndex = new Map<number, string>();
      for (const d of chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])) byIndex.set(d.index, (byIndex.get(d.index) ?? '') + (d.function?.arguments ?? ''));
      assert.deepEqual([...byIndex.keys()], [0, 1]);
      assert.deepEqual(JSON.parse(byIndex.get(1)!), TOOL_ARGUMENTS[1]);
    });

    it('tool results', { skip: unless(capabilities.tools, 'tools') }, async () => {
      const first = await complete({ messages: user('weather?'), tools: [weather] });
      const call = first.data.choices[0].message.tool_calls![0];
      const { data } = await complete({
        messages: [...user('weather?'), first.data.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 12.3}' }],
        tools: [weather],
      });
      assert.equal(data.choices[0].message.content, 'The tool answered: {"temperature": 12.3}');
    });

    it('images from data: URLs', { skip: unless(capabilities.images, 'images') }, async () => {
      const { data } = await complete({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } }] }],
      });
      assert.equal(data.choices[0].message.content, `I see an image (image/png, ${PNG.length} bytes).`);
    });

    it('json_schema response format', { skip: unless(capabilities.jsonSchema, 'jsonSchema') }, async () => {
      const { data } = await complete({ messages: user('structured'), max_tokens: 100, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: answerSchema } } });
      const parsed = JSON.parse(data.choices[0].message.content!);
      if (provider.scripted) assert.deepEqual(parsed, { answer: 'structured' });
      else assert.deepEqual(Object.keys(parsed), ['answer']);
      assert.equal(typeof parsed.answer, 'string');
    });

    /**
     * Every chat feature routing enforces, on every provider: declared, it must work (the answer
     * shows it, or the upstream request carries it); not declared, the request is a 400 naming
     * the parameter or a 200 whose `x-opensq-warnings` names it.
     */
    const features: Array<{ feature: keyof Capabilities; params: Record<string, unknown>; names: RegExp; works(body: any): void }> = [
      {
        feature: 'tools',
        params: { messages: user('weather?'), tools: [weather] },
        names: /^tools$/,
        works: (body) => {
          assert.equal(body.choices[0].finish_reason, 'tool_calls');
          assert.equal(body.choices[0].message.tool_calls[0].function.name, 'get_weather');
        },
      },
      {
        feature: 'toolChoice',
        params: { messages: user('use one'), tools: [weather, search], tool_choice: 'required' },
        names: /^(tools|tool_choice)$/,
        works: (body) => assert.equal(body.choices[0].finish_reason, 'tool_calls'),
      },
      {
        feature: 'images',
        params: { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } }] }] },
        names: /^messages(\[0\]\.content\[1\])?$/,
        works: (body) => assert.equal(body.choices[0].message.content, `I see an image (image/png, ${PNG.length} bytes).`),
      },
      {
        feature: 'jsonSchema',
        params: { messages: user('structured'), max_tokens: 100, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: answerSchema } } },
        names: /^response_format$/,
        works: (body) => assert.equal(typeof JSON.parse(body.choices[0].message.content).answer, 'string'),
      },
      {
        feature: 'audioInput',
        params: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Listen.' }, { type: 'input_audio', input_audio: { data: WAV.toString('base64'), format: 'wav' } }] }] },
        names: /^messages(\[0\]\.content\[1\])?$/,
        works: () => assert.ok(provider.forwarded.audioInput?.(fake.lastBody() ?? {}), 'the audio reached the upstream'),
      },
      {
        feature: 'audioOutput',
        params: { messages: user('say hi'), modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } },
        names: /^(modalities|audio)$/,
        works: () => assert.ok(provider.forwarded.audioOutput?.(fake.lastBody() ?? {}), 'the upstream was asked to speak'),
      },
      {
        feature: 'files',
        params: { messages: [{ role: 'user', content: [{ type: 'text', text: 'Read this.' }, { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF.toString('base64')}`, filename: 'a.pdf' } }] }] },
        names: /^messages(\[0\]\.content\[1\])?$/,
        works: () => assert.ok(provider.forwarded.files?.(fake.lastBody() ?? {}), 'the file reached the upstream'),
      },
      {
        feature: 'thinking',
        params: { messages: user('think first'), reasoning_effort: 'low' },
        names: /^reasoning_effort$/,
        works: () => assert.ok(provider.forwarded.thinking?.(fake.lastBody() ?? {}), 'the upstream was asked to reason'),
      },
    ];
    for (const { feature, params, names, works } of features) {
      it(`${feature}: ${capabilities[feature] ? 'declared, so it works' : 'not declared, so it is refused or reported, never silently dropped'}`, async () => {
        const res = await http(`${server.url}/v1/chat/completions`, { json: { model, ...params } });
        if (capabilities[feature]) {
          assert.equal(res.status, 200, res.text);
          works(res.json);
          return;
        }
        // Streamed too: the refusal or the warning must come before the first byte.
        const streamed = await http(`${server.url}/v1/chat/completions`, { json: { model, stream: true, ...params } });
        for (const answer of [res, streamed]) {
          if (answer.status === 400) {
            assertOpenAISchema('ErrorResponse', answer.json);
            assert.match(String(answer.json.error.param), names, answer.text);
          } else {
            assert.equal(answer.status, 200, answer.text);
            const warnings = String(answer.headers['x-opensq-warnings'] ?? '');
            assert.ok(warnings.split(/\W+/).some((word) => names.test(word)), `200 without a warning naming it: ${warnings}`);
          }
        }
      });
    }

    it('upstream errors keep their meaning: 400, 429 with Retry-After, 5xx as 502', { skip: !provider.scripted && `${provider.type} runs unscripted (a real model): upstream errors cannot be injected` }, async () => {
      const bad = await http(`${server.url}/v1/chat/completions`, { json: { model, messages: user('#bad-request') } });
      assert.equal(bad.status, 400);
      assertOpenAISchema('ErrorResponse', bad.json);
      const limited = await http(`${server.url}/v1/chat/completions`, { json: { model, messages: user('#rate-limit') } });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['retry-after'], '7');
      assertOpenAISchema('ErrorResponse', limited.json);
      const failed = await http(`${server.url}/v1/chat/completions`, { json: { model, messages: user('#fail-500') } });
      assert.equal(failed.status, 502);
      assertOpenAISchema('ErrorResponse', failed.json);
    });

    it('a failure mid-stream ends with an error event and [DONE]', { skip: unless(capabilities.streaming, 'streaming') || (!provider.scripted && `${provider.type} runs unscripted: no failure can be injected mid-stream`) }, async () => {
      const res = await http(`${server.url}/v1/chat/completions`, { json: { model, stream: true, messages: user('#midstream-error here') } });
      const lines = sseDataLines(res.text);
      assert.equal(lines.at(-1), '[DONE]');
      assertOpenAISchema('ErrorResponse', JSON.parse(lines.at(-2)!));
    });

    it('embeddings', { skip: unless(capabilities.embeddings && provider.embeddingModel !== undefined, 'embeddings') }, async () => {
      const result = await client.embeddings.create({ model: 'contract-embed', input: ['a', 'b'], encoding_format: 'float' });
      assertOpenAISchema('CreateEmbeddingResponse', JSON.parse(JSON.stringify(result)));
      assert.equal(result.data.length, 2);
      assert.ok(result.data[0].embedding.length > 0);
    });
  });
}
