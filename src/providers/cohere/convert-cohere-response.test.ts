import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamPart } from '../../core/chat.js';
import { collectChatCompletion } from '../../encode/chat-chunks.js';
import type { CohereChatResponse } from './cohere-api.js';
import { convertCohereResponse } from './convert-cohere-response.js';

/** Non-streamed `/v2/chat` answers in Cohere's exact shape, through to the `chat.completion` clients get. */
async function completion(response: CohereChatResponse, stopSequences?: string[]) {
  async function* once(): AsyncGenerator<StreamPart[]> {
    yield convertCohereResponse(response, stopSequences);
  }
  return (await collectChatCompletion(once(), { id: 'chatcmpl-1', created: 1_750_000_000, model: 'command-r-plus' })).completion;
}

const usage = { billed_units: { input_tokens: 11, output_tokens: 4 }, tokens: { input_tokens: 506, output_tokens: 5 }, cached_tokens: 448 };

describe('convertCohereResponse', () => {
  it('a text answer cut by max_tokens', async () => {
    const response: CohereChatResponse = { id: '039584d9', message: { role: 'assistant', content: [{ type: 'text', text: '**The History of' }] }, finish_reason: 'MAX_TOKENS', usage };
    assert.deepEqual(await completion(response), {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'command-r-plus',
      choices: [{ index: 0, message: { role: 'assistant', content: '**The History of', refusal: null }, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('tool calls with their plan as reasoning; a call without arguments gets {}', async () => {
    const response: CohereChatResponse = {
      id: 'f201af17',
      message: {
        role: 'assistant',
        tool_plan: 'I will use the weather tool.',
        tool_calls: [
          { id: 'weather_dqgshstja6p9', type: 'function', function: { name: 'weather', arguments: '{"location":"San Francisco"}' } },
          { id: 'currentTime_tf4dywn8wgnk', type: 'function', function: { name: 'currentTime', arguments: '' } },
        ],
      },
      finish_reason: 'TOOL_CALL',
    };
    const { choices, usage: reported } = await completion(response);
    assert.deepEqual(choices[0], {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'I will use the weather tool.',
        tool_calls: [
          { id: 'weather_dqgshstja6p9', type: 'function', function: { name: 'weather', arguments: '{"location":"San Francisco"}' } },
          { id: 'currentTime_tf4dywn8wgnk', type: 'function', function: { name: 'currentTime', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    assert.equal(reported, undefined);
  });

  it('thinking parts are reasoning, text parts are joined, ERROR stays a failed generation', async () => {
    const response: CohereChatResponse = {
      id: '53bcb235',
      message: { role: 'assistant', content: [{ type: 'thinking', thinking: 'Two and two.' }, { type: 'text', text: '2 + 2' }, { type: 'text', text: ' = 4' }] },
      finish_reason: 'ERROR',
    };
    const { choices } = await completion(response);
    assert.deepEqual(choices[0].message, { role: 'assistant', content: '2 + 2 = 4', refusal: null, reasoning_content: 'Two and two.' });
    assert.equal(choices[0].finish_reason, 'error');
  });

  it('STOP_SEQUENCE is stop, naming the sequence only when the request sent just one', async () => {
    const response: CohereChatResponse = { id: '7a1f', message: { role: 'assistant', content: [{ type: 'text', text: 'Amsterdam\nUtrecht\n' }] }, finish_reason: 'STOP_SEQUENCE', usage };
    const one = (await completion(response, ['END'])).choices[0] as Record<string, unknown>;
    assert.equal(one.finish_reason, 'stop');
    assert.equal(one.stop_reason, 'END');
    const two = (await completion(response, ['END', '\n\n'])).choices[0] as Record<string, unknown>;
    assert.equal(two.finish_reason, 'stop');
    assert.equal('stop_reason' in two, false);
    const complete = (await completion({ ...response, finish_reason: 'COMPLETE' }, ['END'])).choices[0] as Record<string, unknown>;
    assert.equal('stop_reason' in complete, false);
  });
});
