import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../core/chat.js';
import { convertToAnthropicRequest, DEFAULT_MAX_TOKENS } from './convert-to-anthropic-request.js';

const loadImage = async (): Promise<never> => assert.fail('no image expected');
const convert = (fields: Partial<ChatRequest>, stream = false) =>
  convertToAnthropicRequest({ model: 'claude-3.5-sonnet', messages: [{ role: 'user', content: 'hi' }], ...fields }, { model: 'claude-3-5-sonnet-latest', stream, loadImage });

describe('convertToAnthropicRequest', () => {
  it('the seed weather request, in full', async () => {
    const plan = await convert({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a given location', parameters: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] } } }],
      tool_choice: 'auto',
      temperature: 0.2,
    });
    assert.deepEqual(plan, {
      body: {
        model: 'claude-3-5-sonnet-latest',
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: "What's the weather like in Paris today? 48°51′24″N 2°21′8″E" }] }],
        system: [{ type: 'text', text: 'Be brief.' }],
        temperature: 0.2,
        tools: [
          {
            name: 'get_weather',
            description: 'Get the current weather for a given location',
            input_schema: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } }, required: ['latitude', 'longitude'] },
          },
        ],
        tool_choice: { type: 'auto' },
      },
      jsonResponse: false,
      warnings: [],
    });
  });

  it('max_tokens: the client value (max_completion_tokens first), else the default; stream only when streaming', async () => {
    assert.equal(DEFAULT_MAX_TOKENS, 4096);
    assert.equal((await convert({})).body.max_tokens, 4096);
    assert.equal((await convert({ max_tokens: 100 })).body.max_tokens, 100);
    assert.equal((await convert({ max_tokens: 100, max_completion_tokens: 50 })).body.max_tokens, 50);
    assert.equal((await convert({})).body.stream, undefined);
    assert.equal((await convert({}, true)).body.stream, true);
  });

  it('sampling, stop sequences and user', async () => {
    const { body, warnings } = await convert({ temperature: 0, top_p: 0.9, top_k: 40, stop: ['END', ''], user: 'user-123' });
    assert.deepEqual(
      { temperature: body.temperature, top_p: body.top_p, top_k: body.top_k, stop_sequences: body.stop_sequences, metadata: body.metadata },
      { temperature: 0, top_p: 0.9, top_k: 40, stop_sequences: ['END'], metadata: { user_id: 'user-123' } },
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual((await convert({ stop: 'STOP' })).body.stop_sequences, ['STOP']);
  });

  it('a temperature above Anthropic\'s maximum of 1 is sent as 1 and reported', async () => {
    const { body, warnings } = await convert({ temperature: 1.5 });
    assert.equal(body.temperature, 1);
    assert.deepEqual(warnings, [{ code: 'adjusted_parameter', message: "temperature 1.5 is above provider anthropic's maximum; sent 1" }]);
  });

  it('parameters Anthropic has no equivalent for are reported, unless they ask for nothing', async () => {
    const { body, warnings } = await convert({ seed: 7, logit_bias: { '50256': -100 }, presence_penalty: 0.5, n: 2, frequency_penalty: 0, logprobs: false, stream_options: { include_usage: true }, store: true, metadata: { a: 'b' } });
    assert.deepEqual(warnings, [
      { code: 'dropped_parameter', message: 'n=2 is not supported by provider anthropic; one choice is returned' },
      { code: 'dropped_parameter', message: 'parameters not supported by provider anthropic were ignored: seed, logit_bias, presence_penalty' },
    ]);
    assert.equal('seed' in body || 'logit_bias' in body || 'stream_options' in body, false);
    assert.deepEqual((await convert({ n: 1, presence_penalty: 0, logit_bias: {}, tools: [] })).warnings, []);
  });
});
