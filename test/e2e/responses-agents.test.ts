/**
 * The OpenAI Agents SDK for JavaScript (`@openai/agents`, which speaks the Responses API) running an
 * agent with a function tool against the gateway, over an OpenAI-wire, an Anthropic, a Gemini and
 * a Cohere deployment; and a plain agent on the local model (which has no tools).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import { FAKE_COHERE_KEY, type FakeCohere, startFakeCohere } from '../fakes/cohere-upstream.js';
import { FAKE_GEMINI_KEY, type FakeGemini, startFakeGemini } from '../fakes/gemini-upstream.js';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { fixturePath } from '../support/fixtures.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let cohere: FakeCohere;
let server: ServerProcess;

const MODELS = {
  't-openai': 'openai/gpt-4o-mini',
  't-anthropic': 'anthropic/claude-3-5-sonnet-latest',
  't-gemini': 'gemini/gemini-2.5-flash',
  't-cohere': 'cohere/command-r-plus',
} as const;

before(async () => {
  [openai, anthropic, gemini, cohere] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini(), startFakeCohere()]);
  // The translated path over an OpenAI-wire chat upstream; the Responses pass-through has its own test (responses-passthrough.test.ts).
  const config = ['providers:', '  openai: { type: openai, options: { responses_api: false } }', 'models:', ...Object.entries(MODELS).map(([id, target]) => {
    const [provider, model] = target.split('/');
    return `  ${id}: { paid: false, deployments: [ { provider: ${provider}, model: ${model} } ] }`;
  })].join('\n');
  server = await startServer({
    env: {
      OPENAI_API_KEY: FAKE_KEY,
      OPENAI_BASE_URL: openai.url,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      GEMINI_API_KEY: FAKE_GEMINI_KEY,
      GEMINI_BASE_URL: gemini.url,
      COHERE_API_KEY: FAKE_COHERE_KEY,
      COHERE_BASE_URL: cohere.url,
      OPENSQ_LOCAL_MODEL: fixturePath('models/stories260K.gguf'),
      OPENSQ_LOCAL_THREADS: '1',
    },
    config: `${config}\n`,
  });
  // The Agents SDK pins its own major of `openai`; the client is the same shape where the SDK uses it.
  setDefaultOpenAIClient(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'openai' }) as never);
  setTracingDisabled(true);
});

after(async () => {
  await server?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close(), cohere?.close()]);
});

const responseRows = async (): Promise<number> => (await server.query("SELECT request_id FROM usage WHERE endpoint = 'responses'")).length;

describe('the OpenAI Agents SDK against /v1/responses', () => {
  for (const model of Object.keys(MODELS)) {
    it(`${model}: an agent calls its function tool and answers from the result, unstreamed and streamed`, async () => {
      const calls: Array<{ latitude: number; longitude: number }> = [];
      const getWeather = tool({
        name: 'get_weather',
        description: 'The weather at a place',
        parameters: z.object({ latitude: z.number(), longitude: z.number() }),
        execute: async (input) => {
          calls.push(input);
          return 'sunny, 24 degrees';
        },
      });
      const agent = new Agent({ name: 'Weather', instructions: 'Answer with the tool.', model, tools: [getWeather] });
      const before = await responseRows();
      const result = await run(agent, 'What is the weather in Paris?');
      assert.deepEqual(calls, [{ latitude: 48.8566, longitude: 2.3522 }]);
      assert.equal(result.finalOutput, 'The tool answered: sunny, 24 degrees');
      assert.equal(await responseRows(), before + 2, 'two turns, both through /v1/responses');

      const streamed = await run(agent, 'And the weather in Paris now?', { stream: true });
      let text = '';
      for await (const chunk of streamed.toTextStream()) text += chunk;
      await streamed.completed;
      assert.equal(text, 'The tool answered: sunny, 24 degrees');
      assert.equal(calls.length, 2);
    });
  }

  it('stories260K: the agent gets the local model\'s answer, which is always cut (the SDK refuses incomplete responses)', async () => {
    // stories260K never ends a story before its answer limit, and the Agents SDK treats an
    // incomplete response as a model error, as it would from OpenAI.
    const agent = new Agent({ name: 'Storyteller', instructions: 'Tell a story.', model: 'stories260K', modelSettings: { maxTokens: 8 } });
    await assert.rejects(run(agent, 'Once upon a time'), /unsuccessful terminal state "response\.incomplete"/);
  });
});
