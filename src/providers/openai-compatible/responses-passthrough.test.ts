import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_TOOL_CALLS, type WithBuiltinToolCalls } from '../../core/builtin-tool-calls.js';
import { ApiError } from '../../core/errors.js';
import { RESPONSES_ANSWER, RESPONSES_EVENTS, type ResponsesOrigin, type WithResponsesAnswer } from '../../core/responses-origin.js';
import { countBuiltinToolCalls } from './count-builtin-tool-calls.js';
import { relayResponsesStream } from './relay-responses-stream.js';
import { passthroughResponsesRequest, responsesAnswer, responsesUsage, speaksResponses } from './responses-passthrough.js';

const origin = (input: Array<Record<string, unknown>>, body: Record<string, unknown> = {}): ResponsesOrigin => ({
  body: { model: 'public', tools: [{ type: 'web_search' }], include: ['reasoning.encrypted_content'], max_output_tokens: 500, ...body },
  input,
  own: { previous_response_id: 'resp_prev', store: true },
});
const call = { id: 'resp_ours', created: 1, publicModel: 'public' };

async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece);
}
const sse = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const upstreamResponse = (status: string, usage?: Record<string, unknown>) => ({ id: 'resp_theirs', object: 'response', model: 'gpt-4.1-2025', status, output: [], previous_response_id: null, store: false, ...(usage && { usage }) });

describe('speaksResponses', () => {
  it('OpenAI itself by default; an openai-compatible provider when its options say so; never another type', () => {
    const openai = 'https://api.openai.com/v1';
    assert.equal(speaksResponses({ type: 'openai', options: {}, baseUrl: openai }), true);
    assert.equal(speaksResponses({ type: 'openai', options: {}, baseUrl: 'http://127.0.0.1:11434/v1' }), false, 'the openai preset pointed at another server');
    assert.equal(speaksResponses({ type: 'openai', options: { responses_api: true }, baseUrl: 'http://127.0.0.1:11434/v1' }), true);
    assert.equal(speaksResponses({ type: 'openai', options: { responses_api: false }, baseUrl: openai }), false);
    assert.equal(speaksResponses({ type: 'openai-compatible', options: {}, baseUrl: openai }), false);
    assert.equal(speaksResponses({ type: 'openai-compatible', options: { responses_api: true }, baseUrl: 'http://x' }), true);
    assert.equal(speaksResponses({ type: 'anthropic', options: { responses_api: true }, baseUrl: openai }), false);
  });
});

describe('passthroughResponsesRequest', () => {
  it("keeps the client's fields, sets the model, the whole input, store false and the answer cap; reasoning without encrypted content is dropped with a warning", () => {
    const plan = passthroughResponsesRequest(
      origin([
        { type: 'message', id: 'msg_1', role: 'user', content: 'hi' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'enc' },
        { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
      ]),
      { model: 'gpt-4.1', stream: true, maxAnswerTokens: 100 },
    );
    assert.deepEqual(plan.body, {
      model: 'gpt-4.1',
      tools: [{ type: 'web_search' }],
      include: ['reasoning.encrypted_content'],
      max_output_tokens: 100,
      store: false,
      stream: true,
      input: [
        { type: 'message', role: 'user', content: 'hi' },
        { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'enc' },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
      ],
    });
    assert.deepEqual(plan.warnings.map((w) => w.code), ['dropped_parameter']);
    assert.equal(passthroughResponsesRequest(origin([]), { model: 'm', stream: false, maxAnswerTokens: 900 }).body.max_output_tokens, 500, 'a lower asked limit stays');
  });
});

describe('responsesUsage', () => {
  it('maps input, cached, output and reasoning tokens', () => {
    assert.deepEqual(responsesUsage({ input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 16 }), {
      prompt_tokens: 10,
      completion_tokens: 6,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
    assert.equal(responsesUsage(null), undefined);
  });
});

describe('responsesAnswer', () => {
  it("carries the upstream's Response under our id, the public model and our state fields; the upstream id for the row", () => {
    const result = responsesAnswer({ text: JSON.stringify(upstreamResponse('completed', { input_tokens: 3, output_tokens: 2, total_tokens: 5 })), call, origin: origin([]), provider: 'openai' });
    const response = (result.completion as WithResponsesAnswer)[RESPONSES_ANSWER] as Record<string, unknown>;
    assert.deepEqual([response.id, response.model, response.previous_response_id, response.store], ['resp_ours', 'public', 'resp_prev', true]);
    assert.equal(result.upstreamId, 'resp_theirs');
    assert.deepEqual(result.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    assert.throws(() => responsesAnswer({ text: '{"nope":1}', call, origin: origin([]), provider: 'openai' }), ApiError);
  });
});

describe('relayResponsesStream', () => {
  it('relays delta events byte for byte, rewrites the Response events, numbers nothing itself, and reads usage from the final one', async () => {
    const delta = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","sequence_number":2}\n\n';
    const stream = relayResponsesStream({ body: bytes(
        sse('response.created', { response: upstreamResponse('in_progress'), sequence_number: 0 }) + sse('response.in_progress', { response: upstreamResponse('in_progress'), sequence_number: 1 }),
        delta,
        sse('response.completed', { response: upstreamResponse('completed', { input_tokens: 7, output_tokens: 1, total_tokens: 8 }), sequence_number: 3 }),
      ), call, origin: origin([]), provider: 'openai' });
    const events: string[] = [];
    for await (const batch of stream) events.push(...batch);
    assert.equal(events.length, 4);
    assert.equal(events[2], delta);
    const completed = JSON.parse(events[3].split('data: ')[1]) as { response: Record<string, unknown>; sequence_number: number };
    assert.deepEqual([completed.response.id, completed.response.model, completed.response.store, completed.sequence_number], ['resp_ours', 'public', true, 3]);
    assert.deepEqual(stream.usage(), { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 });
    assert.equal(stream.upstreamId?.(), 'resp_theirs');
    assert.equal(stream.completionText(), 'Hi');
    const state = stream[RESPONSES_EVENTS]!;
    assert.deepEqual([state.relayed(), state.ended(), state.finalResponse()?.id], [4, true, 'resp_ours']);
  });

  it('an upstream error event is relayed, then fails the stream; a stream cut short fails without an end', async () => {
    const failing = relayResponsesStream({ body: bytes(sse('response.created', { response: upstreamResponse('in_progress'), sequence_number: 0 }), sse('error', { code: 'server_error', message: 'boom', sequence_number: 1 })), call, origin: origin([]), provider: 'openai' });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of failing) seen.push(...batch);
    }, /boom/);
    assert.equal(seen.length, 2);
    assert.equal(failing[RESPONSES_EVENTS]!.ended(), true);

    const cut = relayResponsesStream({ body: bytes(sse('response.created', { response: upstreamResponse('in_progress'), sequence_number: 0 })), call, origin: origin([]), provider: 'openai' });
    await assert.rejects(async () => {
      for await (const _ of cut);
    }, /ended the stream before finishing/);
    assert.equal(cut[RESPONSES_EVENTS]!.ended(), false);
  });
});

describe('built-in tool calls', () => {
  it("are counted by kind from a Response's output; client tools and other items are not", () => {
    const output = [
      { type: 'web_search_call', id: 'ws_1' },
      { type: 'reasoning', id: 'rs_1' },
      { type: 'web_search_call', id: 'ws_2' },
      { type: 'file_search_call', id: 'fs_1' },
      { type: 'function_call', call_id: 'c' },
      { type: 'custom_tool_call', call_id: 'd' },
      { type: 'message', content: [] },
      null,
    ];
    assert.deepEqual(countBuiltinToolCalls(output), { web_search: 2, file_search: 1 });
    assert.equal(countBuiltinToolCalls([{ type: 'message' }]), undefined);
    assert.equal(countBuiltinToolCalls('nope'), undefined);
    const usage = responsesUsage({ input_tokens: 1, output_tokens: 1 }, output) as WithBuiltinToolCalls;
    assert.deepEqual(usage[BUILTIN_TOOL_CALLS], { web_search: 2, file_search: 1 });
    assert.equal(JSON.stringify(usage), '{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}', 'never in JSON');
  });

  it("the gateway's max_tool_calls is sent when the client asks for more or sets none, with a warning; a lower one of the client's stays", () => {
    const capped = passthroughResponsesRequest(origin([]), { model: 'm', stream: false, maxToolCalls: 3 });
    assert.equal(capped.body.max_tool_calls, 3);
    assert.deepEqual(capped.warnings.map((w) => w.code), ['tool_calls_limited']);
    assert.equal(passthroughResponsesRequest(origin([], { max_tool_calls: 9 }), { model: 'm', stream: false, maxToolCalls: 3 }).body.max_tool_calls, 3);
    const own = passthroughResponsesRequest(origin([], { max_tool_calls: 2 }), { model: 'm', stream: false, maxToolCalls: 3 });
    assert.equal(own.body.max_tool_calls, 2);
    assert.deepEqual(own.warnings, []);
    assert.equal('max_tool_calls' in passthroughResponsesRequest(origin([]), { model: 'm', stream: false }).body, false);
  });
});
