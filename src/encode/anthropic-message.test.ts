import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signThinking } from '../core/anthropic-messages.js';
import type { StreamPart } from '../core/chat.js';
import type { AnthropicMessage } from '../providers/anthropic/anthropic-api.js';
import { convertAnthropicMessage } from '../providers/anthropic/convert-anthropic-message.js';
import { encodeAnthropicMessage } from './anthropic-message.js';
import { collectChatCompletion } from './chat-chunks.js';

const ctx = { id: 'chatcmpl-abc', created: 1, model: 'claude' };
const answerCtx = { id: 'chatcmpl-abc', model: 'claude', thinking: true, stopSequences: [] };

async function* batches(...parts: StreamPart[][]): AsyncGenerator<StreamPart[]> {
  yield* parts;
}

/** An interleaved thinking answer as Anthropic writes it (beta interleaved-thinking-2025-05-14). */
const interleaved = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'thinking', thinking: 'First I look.', signature: 'sig-1' },
    { type: 'text', text: 'Let me check.' },
    { type: 'redacted_thinking', data: 'redacted-1' },
    { type: 'thinking', thinking: 'Then I call.', signature: 'sig-2' },
    { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 20 },
} as unknown as AnthropicMessage;

describe('encodeAnthropicMessage keeps the order the answer came in', () => {
  it('a non-streamed interleaved Anthropic answer comes back as [thinking, text, redacted_thinking, thinking, tool_use]', async () => {
    const { completion } = await collectChatCompletion(batches(convertAnthropicMessage(interleaved, { jsonResponse: false })), ctx);
    const message = JSON.parse(encodeAnthropicMessage(completion, answerCtx)) as { content: unknown[] };
    assert.deepEqual(message.content, interleaved.content);
    // The chat answer's JSON carries no trace of the order.
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(completion.choices[0]!.message)) as object).sort(), ['content', 'reasoning_content', 'refusal', 'role', 'thinking_blocks', 'tool_calls']);
  });

  it('streamed parts (thinking pieces, then the signature) give the same order; text split in pieces is one block', async () => {
    const { completion } = await collectChatCompletion(
      batches(
        [{ type: 'reasoning', text: 'First ' }, { type: 'reasoning', text: 'I look.' }],
        [{ type: 'reasoning', text: '', signature: 'sig-1' }, { type: 'text', text: 'Let me ' }],
        [{ type: 'text', text: 'check.' }, { type: 'reasoning', text: 'Then I call.' }, { type: 'reasoning', text: '', signature: 'sig-2' }],
        [{ type: 'tool-call', index: 0, id: 'toolu_1', name: 'get_weather', arguments: '{"city":' }, { type: 'tool-call', index: 0, arguments: '"Paris"}' }],
        [{ type: 'finish', reason: 'tool_calls' }],
      ),
      ctx,
    );
    const message = JSON.parse(encodeAnthropicMessage(completion, answerCtx)) as { content: unknown[] };
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'First I look.', signature: 'sig-1' },
      { type: 'text', text: 'Let me check.' },
      { type: 'thinking', thinking: 'Then I call.', signature: 'sig-2' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });

  it('without thinking asked for, the text and tool_use keep their order and the thinking is left out', async () => {
    const { completion } = await collectChatCompletion(batches(convertAnthropicMessage(interleaved, { jsonResponse: false })), ctx);
    const message = JSON.parse(encodeAnthropicMessage(completion, { ...answerCtx, thinking: false })) as { content: Array<{ type: string }> };
    assert.deepEqual(message.content.map((b) => b.type), ['text', 'tool_use']);
  });

  it("unsigned reasoning (an OpenAI-compatible provider's) is one block signed by the gateway, where it began", async () => {
    const { completion } = await collectChatCompletion(batches([{ type: 'reasoning', text: 'Hmm.' }, { type: 'text', text: 'Yes.' }], [{ type: 'finish', reason: 'stop' }]), ctx);
    const message = JSON.parse(encodeAnthropicMessage(completion, answerCtx)) as { content: unknown[] };
    assert.deepEqual(message.content, [{ type: 'thinking', thinking: 'Hmm.', signature: signThinking('Hmm.') }, { type: 'text', text: 'Yes.' }]);
  });
});
