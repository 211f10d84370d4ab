import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayThinking, signThinking } from '../core/anthropic-messages.js';
import type { ChatCompletion } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { encodeAnthropicMessage } from './anthropic-message.js';
import { AnthropicStreamEncoder, plainTextPiece } from './anthropic-stream.js';

const ctx = { id: 'chatcmpl-0123abcd', model: 'claude-x', thinking: true, stopSequences: ['###', 'END'] };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });

function events(bytes: string): Array<[string, unknown]> {
  return bytes
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [event, data] = frame.split('\n');
      assert.match(event, /^event: /);
      assert.match(data, /^data: /);
      return [event.slice(7), JSON.parse(data.slice(6))];
    });
}

describe('AnthropicStreamEncoder', () => {
  it('writes thinking, text and tool_use blocks in Anthropic order, ending with stop reason and usage', () => {
    const encoder = new AnthropicStreamEncoder(ctx, () => '');
    let bytes = encoder.batch([chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'Let me' }), chunk({ reasoning_content: ' think' })]);
    bytes += encoder.batch([chunk({ content: 'Hi' }), chunk({ content: ' there' })]);
    bytes += encoder.batch([chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] })]);
    bytes += encoder.batch([chunk({}, 'tool_calls'), JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })]);
    bytes += encoder.end({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } });
    assert.deepEqual(events(bytes), [
      ['message_start', { type: 'message_start', message: { id: 'msg_0123abcd', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
      ['ping', { type: 'ping' }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: ' think' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: signThinking('Let me think') } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' there' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 6, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('reasoning is left out when the client did not turn thinking on, as Anthropic answers', () => {
    const encoder = new AnthropicStreamEncoder({ ...ctx, thinking: false }, () => '');
    const bytes = encoder.batch([chunk({ reasoning_content: 'hidden' }), chunk({ content: 'Hi' })]) + encoder.end({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    assert.doesNotMatch(bytes, /thinking|hidden/);
    assert.equal(events(bytes).filter(([e]) => e === 'content_block_start').length, 1);
  });

  it('an empty stream still starts and stops the message; a failure is an error event', () => {
    const encoder = new AnthropicStreamEncoder(ctx, (e) => JSON.stringify({ type: 'error', error: { type: 'api_error', message: e.message } }));
    assert.deepEqual(
      events(encoder.end({ prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 })).map(([e]) => e),
      ['message_start', 'message_delta', 'message_stop'],
    );
    assert.equal(encoder.fail(new ApiError('upstream_error', 'boom')), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n');
  });
});

describe('encodeAnthropicMessage', () => {
  it('a completion as a Message with stop reasons mapped', () => {
    const message = JSON.parse(
      encodeAnthropicMessage(
        {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'upstream-name',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"q":2}' } }] }, finish_reason: 'length' }],
          usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
        },
        ctx,
      ),
    );
    assert.deepEqual(message, {
      id: 'msg_0123abcd',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'text', text: 'ok' },
        { type: 'tool_use', id: 't', name: 'f', input: { q: 2 } },
      ],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 7, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });
});

describe('stop sequences', () => {
  const finishChunk = (extra: Record<string, unknown>) => JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop', ...extra }] });
  const streamed = (extra: Record<string, unknown>) => {
    const encoder = new AnthropicStreamEncoder(ctx, () => '');
    const bytes = encoder.batch([chunk({ content: 'a' }), finishChunk(extra)]) + encoder.end({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
    return events(bytes).find(([e]) => e === 'message_delta')![1] as { delta: { stop_reason: string; stop_sequence: string | null } };
  };
  const answered = (extra: Record<string, unknown>) =>
    JSON.parse(encodeAnthropicMessage({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'a' }, finish_reason: 'stop', ...extra }] }, ctx)) as {
      stop_reason: string;
      stop_sequence: string | null;
    };

  it("stop_sequence with the matched string where the provider names it (vLLM's stop_reason, SGLang's matched_stop)", () => {
    for (const extra of [{ stop_reason: 'END' }, { matched_stop: 'END' }]) {
      assert.deepEqual(streamed(extra).delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
      const message = answered(extra);
      assert.deepEqual([message.stop_reason, message.stop_sequence], ['stop_sequence', 'END']);
    }
  });

  it('end_turn where the provider names none, or a stop token or a string the client did not ask for', () => {
    for (const extra of [{}, { stop_reason: null }, { stop_reason: 151645 }, { matched_stop: '<|im_end|>' }]) {
      assert.deepEqual(streamed(extra).delta, { stop_reason: 'end_turn', stop_sequence: null });
      const message = answered(extra);
      assert.deepEqual([message.stop_reason, message.stop_sequence], ['end_turn', null]);
    }
  });
});

describe('thinking signatures', () => {
  const completion = (reasoning: string): ChatCompletion => ({
    id: 'x',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'answer', reasoning_content: reasoning }, finish_reason: 'stop' }],
  });

  it('an answer carries its reasoning as a thinking block the gateway recognises for that text only', () => {
    const message = JSON.parse(encodeAnthropicMessage(completion('step one'), ctx));
    assert.equal(message.content[0].type, 'thinking');
    assert.equal(message.content[0].thinking, 'step one');
    assert.ok(isGatewayThinking('step one', message.content[0].signature));
    assert.ok(!isGatewayThinking('step two', message.content[0].signature), 'another text');
    assert.ok(!isGatewayThinking('step one', 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds'), "Anthropic's own");
    assert.deepEqual(JSON.parse(encodeAnthropicMessage(completion('step one'), { ...ctx, thinking: false })).content, [{ type: 'text', text: 'answer' }]);
  });
});

describe('plainTextPiece', () => {
  it('takes the literal of a chunk that is only a piece of text, and nothing else', () => {
    const text = 'a "quoted" \\ back\nslash ✓';
    const plain = chunk({ content: text });
    assert.equal(plainTextPiece(plain), JSON.stringify(text));
    const relayed = `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}],"usage":null}`;
    assert.equal(plainTextPiece(relayed), JSON.stringify(text));
    assert.equal(plainTextPiece(chunk({ content: '' })), undefined);
    assert.equal(plainTextPiece(chunk({ role: 'assistant', content: 'x' })), undefined);
    assert.equal(plainTextPiece(chunk({ content: 'x' }, 'stop')), undefined);
    assert.equal(plainTextPiece(chunk({ reasoning_content: 'x' })), undefined);
    assert.equal(plainTextPiece(chunk({ content: 'x', tool_calls: [] })), undefined);
    assert.equal(plainTextPiece(relayed.replace('"usage":null', '"usage":{"prompt_tokens":1}')), undefined);
  });

  it('the fast path writes the same events as the parsed one', () => {
    const pieces = ['Hel', 'lo "w"', 'orld\\n', '✓'];
    const fast = new AnthropicStreamEncoder(ctx, () => '');
    const slow = new AnthropicStreamEncoder(ctx, () => '');
    let a = '';
    let b = '';
    for (const piece of pieces) {
      a += fast.batch([chunk({ content: piece })]);
      // A role makes the chunk take the parsed path.
      b += slow.batch([chunk({ role: 'assistant', content: piece })]);
    }
    assert.equal(a, b);
  });
});
