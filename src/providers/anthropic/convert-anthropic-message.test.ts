import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectChatCompletion } from '../../encode/chat-chunks.js';
import type { AnthropicMessage } from './anthropic-api.js';
import { convertAnthropicMessage } from './convert-anthropic-message.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

const message = (fields: Partial<AnthropicMessage>): AnthropicMessage => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-sonnet-20241022',
  content: [],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 52, output_tokens: 31, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  ...fields,
});

async function complete(m: AnthropicMessage, jsonResponse = false) {
  async function* once() {
    yield convertAnthropicMessage(m, { jsonResponse });
  }
  return (await collectChatCompletion(once(), { id: 'chatcmpl-1', created: 1700000000, model: 'claude-3.5-sonnet' })).completion;
}

describe('convertAnthropicMessage (a non-streamed answer)', () => {
  it('text and a tool call become an OpenAI chat.completion', async () => {
    const completion = await complete(
      message({
        content: [
          { type: 'text', text: 'Let me look that up.' },
          { type: 'tool_use', id: 'toolu_01', name: 'lookup_city', input: { city: 'Oslo' } },
        ],
        stop_reason: 'tool_use',
      }),
    );
    assert.deepEqual(completion, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-3.5-sonnet',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me look that up.',
            refusal: null,
            tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'lookup_city', arguments: '{"city":"Oslo"}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 52, completion_tokens: 31, total_tokens: 83, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('only tool calls: content null; thinking: reasoning_content, and thinking_blocks with its signature and the redacted data', async () => {
    const completion = await complete(
      message({
        content: [
          { type: 'thinking', thinking: 'The user wants two cities.', signature: 'sig' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'a', name: 'f', input: {} },
          { type: 'tool_use', id: 'b', name: 'g', input: { x: [1] } },
        ],
        stop_reason: 'tool_use',
      }),
    );
    assert.deepEqual(completion.choices[0].message, {
      role: 'assistant',
      content: null,
      refusal: null,
      reasoning_content: 'The user wants two cities.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'The user wants two cities.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
      tool_calls: [
        { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
        { id: 'b', type: 'function', function: { name: 'g', arguments: '{"x":[1]}' } },
      ],
    });
  });

  it('the JSON response tool is the text of the answer, finishing with stop', async () => {
    const completion = await complete(message({ content: [{ type: 'tool_use', id: 'j', name: 'json_response', input: { answer: 'yes' } }], stop_reason: 'tool_use' }), true);
    assert.equal(completion.choices[0].message.content, '{"answer":"yes"}');
    assert.equal(completion.choices[0].message.tool_calls, undefined);
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });

  it('an answer without usage has none, and an empty answer is an empty string', async () => {
    const completion = await complete(message({ usage: undefined, stop_reason: 'max_tokens' }));
    assert.equal(completion.usage, undefined);
    assert.equal(completion.choices[0].message.content, '');
    assert.equal(completion.choices[0].finish_reason, 'length');
  });
});

describe('mapAnthropicFinishReason', () => {
  it('maps every documented stop reason and keeps unknown ones raw', () => {
    const expected = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', model_context_window_exceeded: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop', something_new: 'something_new' };
    for (const [reason, finish] of Object.entries(expected)) assert.equal(mapAnthropicFinishReason(reason), finish, reason);
    assert.equal(mapAnthropicFinishReason(null), 'stop');
    assert.equal(mapAnthropicFinishReason('tool_use', false), 'stop');
  });
});

describe('convertAnthropicUsage', () => {
  it('prompt tokens include cache reads and writes; cached tokens are the reads, cache writes their own count', () => {
    assert.deepEqual(convertAnthropicUsage({ input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300, output_tokens: 40 }), {
      prompt_tokens: 1320,
      completion_tokens: 40,
      total_tokens: 1360,
      prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 300 },
    });
    assert.deepEqual(convertAnthropicUsage({ input_tokens: 5, output_tokens: 1, cache_read_input_tokens: null }), { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 } });
  });
});
