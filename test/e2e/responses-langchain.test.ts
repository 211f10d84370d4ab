/**
 * LangChain's `ChatOpenAI({ useResponsesApi: true })` against `/v1/responses`: invoke, stream and a
 * bound tool call, over an OpenAI-wire chat deployment (translated), OpenAI's own Responses API
 * (passed through) and Anthropic and Gemini deployments (translated).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { type FakeOpenAIResponses, startFakeOpenAIResponses } from '../fakes/openai-responses-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { compatProviderLines, OPENAI_PRESET_WITH_RESPONSES } from '../support/gateway-config.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let chat: FakeOpenAI;
let native: FakeOpenAIResponses;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let server: ServerProcess;

/** Model → what its deployment is sent. */
const MODELS = { 't-chat': 'translated', 't-native': 'passed through', 't-anthropic': 'translated', 't-gemini': 'translated' } as const;

before(async () => {
  [chat, native, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeOpenAIResponses(), startFakeAnthropic(), startFakeGemini()]);
  const config = [
    'providers:',
    // The openai preset at a fake: only OpenAI's own address is assumed to speak the Responses API.
    ...OPENAI_PRESET_WITH_RESPONSES,
    ...compatProviderLines('compat-chat', chat.url),
    'models:',
    '  t-chat: { paid: false, deployments: [ { provider: compat-chat, model: gpt-4o-mini } ] }',
    '  t-native: { paid: false, deployments: [ { provider: openai, model: gpt-4.1 } ] }',
    '  t-anthropic: { paid: false, deployments: [ { provider: anthropic, model: claude-3-5-sonnet-latest } ] }',
    '  t-gemini: { paid: false, deployments: [ { provider: gemini, model: gemini-2.5-flash } ] }',
    '',
  ].join('\n');
  server = await startServer({
    env: {
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: native.url,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      GEMINI_API_KEY: FAKE_GEMINI_KEY,
      GEMINI_BASE_URL: gemini.url,
    },
    config,
  });
});

after(async () => {
  await server?.stop();
  await Promise.all([chat?.close(), native?.close(), anthropic?.close(), gemini?.close()]);
});

const llm = (model: string): ChatOpenAI => new ChatOpenAI({ model, useResponsesApi: true, apiKey: 'openai', maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });

// The fakes call it with a city (OpenAI's Responses fake) or coordinates (the others).
const weather = tool(async (place: { city?: string; latitude?: number }) => `sunny in ${place.city ?? place.latitude}`, {
  name: 'get_weather',
  description: 'The weather in a place',
  schema: z.object({ city: z.string().optional(), latitude: z.number().optional(), longitude: z.number().optional() }),
});

const rows = async (): Promise<number> => (await server.query("SELECT request_id FROM usage WHERE endpoint = 'responses'")).length;

describe('LangChain ChatOpenAI with useResponsesApi', () => {
  for (const [model, path] of Object.entries(MODELS)) {
    it(`${model} (${path}): invoke answers text through /v1/responses, with usage`, async () => {
      const before = await rows();
      const message = await llm(model).invoke('Hello from LangChain');
      assert.match(String(message.text), /Echo: Hello from LangChain/);
      assert.match(String(message.id ?? message.response_metadata.id), /^(resp_|msg_)/);
      assert.ok((message.usage_metadata?.input_tokens ?? 0) > 0, JSON.stringify(message.usage_metadata));
      assert.equal(await rows(), before + 1, 'one usage row with endpoint responses');
    });

    it(`${model} (${path}): stream gives the text in pieces`, async () => {
      const pieces: string[] = [];
      for await (const chunk of await llm(model).stream('Stream this please')) pieces.push(String(chunk.text));
      assert.ok(pieces.filter(Boolean).length > 1, JSON.stringify(pieces));
      assert.match(pieces.join(''), /Echo: Stream this please/);
    });

    it(`${model} (${path}): a bound tool is called, and its result answered`, async () => {
      const bound = llm(model).bindTools([weather]);
      const first = await bound.invoke('What is the weather?');
      const call = first.tool_calls?.[0];
      assert.ok(call, JSON.stringify(first));
      assert.equal(call.name, 'get_weather');
      assert.equal(typeof call.id, 'string');
      const result = await weather.invoke(call);
      const second = await bound.invoke([{ role: 'user', content: 'What is the weather?' }, first, result]);
      assert.match(String(second.text), /sunny in (Paris|48\.8566)/, JSON.stringify(second.content));
    });
  }
});
