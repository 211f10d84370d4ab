import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUsage } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { ResponseEventWriter } from './response-events.js';
import type { ResponseObject } from './response-object.js';
import { responseEcho } from './response-object.js';

const ID = 'resp_0123456789abcdef0123456789abcdef';
const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

function events(bytes: string): Array<Record<string, any>> {
  return bytes.split('\n\n').filter(Boolean).map((block) => JSON.parse(block.split('\n')[1].slice('data: '.length)));
}

function writer(settled?: (response: ResponseObject) => void): ResponseEventWriter {
  return new ResponseEventWriter(responseEcho({ model: 'm', input: 'x' }), { id: ID, createdAt: 1, model: 'm' }, settled);
}

describe('chat chunks as Responses stream events', () => {
  it('reasoning, text and two function calls: each item added, filled and done in order, then response.completed with usage', () => {
    let settled: ResponseObject | undefined;
    const w = writer((response) => (settled = response));
    const bytes =
      w.batch([chunk({ role: 'assistant', reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing' }), chunk({ content: 'Hel' })]) +
      w.batch([chunk({ content: 'lo' }), chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] })]) +
      w.batch([chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }), chunk({ tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } }] }), chunk({}, 'tool_calls')]) +
      w.end(makeUsage(10, 5));
    const list = events(bytes);
    assert.deepEqual(list.map((e) => e.sequence_number), list.map((_, i) => i));
    assert.deepEqual(list.map((e) => e.type), [
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta',
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
      'response.function_call_arguments.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ]);
    const completed = list.at(-1)!.response;
    assert.deepEqual(completed.output, [
      { id: 'rs_0123456789abcdef0123456789abcdef', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking' }] },
      { id: 'msg_0123456789abcdef0123456789abcdef', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] },
      { id: 'fc_0123456789abcdef0123456789abcdef_0', type: 'function_call', status: 'completed', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
      { id: 'fc_0123456789abcdef0123456789abcdef_1', type: 'function_call', status: 'completed', call_id: 'c2', name: 'g', arguments: '{}' },
    ]);
    assert.deepEqual(completed.usage, { input_tokens: 10, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 });
    assert.equal(completed.status, 'completed');
    assert.deepEqual(settled, completed);
  });

  it('text again after a function call is a new message item with its own id', () => {
    const w = writer();
    const list = events(
      w.batch([chunk({ content: 'Let me look.' }), chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } }] }), chunk({ content: 'Done.' })]) + w.end(makeUsage(1, 1)),
    );
    const ids = list.at(-1)!.response.output.map((item: { id: string }) => item.id);
    assert.deepEqual(ids, ['msg_0123456789abcdef0123456789abcdef', 'fc_0123456789abcdef0123456789abcdef_0', 'msg_0123456789abcdef0123456789abcdef_1']);
  });

  it('text-only chunks as OpenAI writes them take the fast path and give the same events as parsed ones', () => {
    const pieces = ['Say "hi"', ' \\ and ', 'ünï\u2028code', '\n'];
    const openaiChunk = (piece: string, usage = ''): string =>
      `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}]${usage}}`;
    const fast = writer();
    const slow = writer();
    const fastEvents = events(fast.batch([openaiChunk(pieces[0]), openaiChunk(pieces[1], ',"usage":null'), openaiChunk(pieces[2], ',"usage":null,"obfuscation":"ab12"'), openaiChunk(pieces[3])]) + fast.end(makeUsage(1, 1)));
    const slowEvents = events(slow.batch(pieces.map((piece) => chunk({ content: piece }))) + slow.end(makeUsage(1, 1)));
    const strip = (list: Array<Record<string, any>>) => list.map((e) => ({ ...e, response: e.response && { ...e.response, completed_at: 0 } }));
    assert.deepEqual(strip(fastEvents), strip(slowEvents));
    assert.equal(fastEvents.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join(''), pieces.join(''));
  });

  it('a cut answer ends with response.incomplete; the item is incomplete', () => {
    const w = writer();
    const list = events(w.batch([chunk({ content: 'a b' }), chunk({}, 'length')]) + w.end(makeUsage(1, 2)));
    const last = list.at(-1)!;
    assert.equal(last.type, 'response.incomplete');
    assert.deepEqual(last.response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(last.response.output[0].status, 'incomplete');
  });

  it('a failure after the first byte: error, then response.failed with the items so far', () => {
    const w = writer();
    const list = events(w.batch([chunk({ content: 'par' })]) + w.fail(new ApiError('upstream_error', 'upstream broke')));
    assert.deepEqual(list.slice(-2).map((e) => e.type), ['error', 'response.failed']);
    assert.deepEqual(list.at(-2), { type: 'error', code: 'upstream_error', message: 'upstream broke', param: null, sequence_number: list.length - 2 });
    assert.deepEqual(list.at(-1)!.response.error, { code: 'server_error', message: 'upstream broke' });
    assert.equal(list.at(-1)!.response.output.length, 1);
  });

  it('a stream that fails before any chunk still opens with response.created', () => {
    const list = events(writer().fail(new ApiError('rate_limit_exceeded', 'slow down')));
    assert.deepEqual(list.map((e) => e.type), ['response.created', 'response.in_progress', 'error', 'response.failed']);
    assert.equal(list.at(-1)!.response.error.code, 'rate_limit_exceeded');
  });
});
