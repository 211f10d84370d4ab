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
import { type FourProviderGateway, ONE_MODEL_A_PROVIDER as MODELS, startFourProviderGateway } from '../support/four-providers.js';

let gateway: FourProviderGateway;

before(async () => {
  // The `openai` preset at a fake gets chat completions: the translated path (the Responses pass-through has its own tests).
  gateway = await startFourProviderGateway({ models: MODELS, local: true });
  // The Agents SDK pins its own major of `openai`; the client is the same shape where the SDK uses it.
  setDefaultOpenAIClient(new OpenAI({ baseURL: `${gateway.server.url}/v1`, apiKey: 'openai' }) as never);
  setTracingDisabled(true);
});

after(async () => {
  await gateway?.stop();
});

const responseRows = async (): Promise<number> => (await gateway.server.query("SELECT request_id FROM usage WHERE endpoint = 'responses'")).length;

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
