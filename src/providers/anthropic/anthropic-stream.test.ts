import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { StreamPart } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { encodeChatChunks } from '../../encode/chat-chunks.js';
import { readAnthropicStream } from './anthropic-stream.js';
import { fixturePath } from '../../../test/support/fixtures.js';

const fixture = (name: string): string => readFileSync(fixturePath('anthropic', name), 'utf8');

async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece);
}

/** The text cut into reads of `size` bytes, so events and multi-byte characters straddle reads. */
function split(text: string, size: number): string[] {
  const buffer = Buffer.from(text);
  const out: string[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size).toString('latin1'));
  return out;
}

async function* latin1(...pieces: string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Buffer.from(piece, 'latin1');
}

async function drain<T>(stream: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of stream) out.push(batch);
  return out;
}

const parts = (body: AsyncIterable<Uint8Array>, jsonResponse = false) => readAnthropicStream(body, { provider: 'anthropic', jsonResponse });

const event = (data: Record<string, unknown>): string => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
const start = (usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }) =>
  event({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage } });
const blockStart = (index: number, block: Record<string, unknown>) => event({ type: 'content_block_start', index, content_block: block });
const delta = (index: number, d: Record<string, unknown>) => event({ type: 'content_block_delta', index, delta: d });
const blockStop = (index: number) => event({ type: 'content_block_stop', index });
const end = (stopReason: string, usage: Record<string, unknown> = { output_tokens: 5 }) =>
  event({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage }) + event({ type: 'message_stop' });

describe('readAnthropicStream: recorded streams (test/fixtures/anthropic)', () => {
  it('basic_response.txt: text deltas, then finish and usage, in one batch per read', async () => {
    const batches = await drain(parts(bytes(fixture('basic_response.txt'))));
    assert.deepEqual(batches, [
      [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' there' },
        { type: 'text', text: '!' },
        { type: 'finish', reason: 'stop' },
        { type: 'usage', usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 } } },
      ],
    ]);
  });

  it('basic_response.txt as client chunks: role first, finish chunk, usage chunk', async () => {
    const stream = encodeChatChunks(parts(bytes(fixture('basic_response.txt'))), { id: 'chatcmpl-1', created: 1700000000, model: 'claude-3.5-sonnet', includeUsage: true });
    const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"claude-3.5-sonnet"';
    assert.deepEqual((await drain(stream)).flat(), [
      `${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":null}]}`,
      `${head},"choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}]}`,
      `${head},"choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}]}`,
      `${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`,
      `${head},"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":6,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}}`,
    ]);
    assert.equal(stream.completionText(), 'Hello there!');
  });

  it('tool_use_response.txt: text, then the tool call id and name once and input_json_delta fragments as argument deltas', async () => {
    const flat = (await drain(parts(bytes(fixture('tool_use_response.txt'))))).flat();
    assert.deepEqual(flat, [
      { type: 'text', text: 'I' },
      { type: 'text', text: "'ll check the current weather in Paris for you." },
      { type: 'tool-call', index: 0, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', arguments: '' },
      { type: 'tool-call', index: 0, arguments: '{"locati' },
      { type: 'tool-call', index: 0, arguments: 'on": "P' },
      { type: 'tool-call', index: 0, arguments: 'ar' },
      { type: 'tool-call', index: 0, arguments: 'is"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt_tokens: 377, completion_tokens: 65, total_tokens: 442, prompt_tokens_details: { cached_tokens: 0 } } },
    ]);
  });

  it('tool_use_response.txt as client chunks: the tool call delta carries index, id, type and name once', async () => {
    const stream = encodeChatChunks(parts(bytes(fixture('tool_use_response.txt'))), { id: 'c', created: 1, model: 'm', includeUsage: false });
    const chunks = (await drain(stream)).flat().map((text) => JSON.parse(text));
    const calls = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', type: 'function', function: { arguments: '', name: 'get_weather' } },
      { index: 0, function: { arguments: '{"locati' } },
      { index: 0, function: { arguments: 'on": "P' } },
      { index: 0, function: { arguments: 'ar' } },
      { index: 0, function: { arguments: 'is"}' } },
    ]);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
    assert.equal(chunks.length, 8, 'no usage chunk when the client did not ask for it');
  });

  it('incomplete_partial_json_response.txt: a tool call cut by max_tokens keeps its partial arguments and finishes with length', async () => {
    const flat = (await drain(parts(bytes(fixture('incomplete_partial_json_response.txt'))))).flat();
    const text = flat.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
    assert.equal(text, "I'll create a comprehensive tax guide for someone with multiple W2s and save it in a file called taxes.txt. Let me do that for you now.");
    const calls = flat.filter((p): p is Extract<StreamPart, { type: 'tool-call' }> => p.type === 'tool-call');
    assert.deepEqual(calls[0], { type: 'tool-call', index: 0, id: 'toolu_01EKqbqmZrGRXy18eN7m9kvY', name: 'make_file', arguments: '' });
    assert.equal(
      calls.map((c) => c.arguments).join(''),
      '{"filename": "taxes.txt", "lines_of_text": [\n"# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s",\n"",\n"## INTRODUCTION",\n"",\n"Filing taxes',
    );
    assert.ok(calls.every((c) => c.index === 0));
    assert.deepEqual(flat.slice(-2), [
      { type: 'finish', reason: 'length' },
      { type: 'usage', usage: { prompt_tokens: 450, completion_tokens: 124, total_tokens: 574, prompt_tokens_details: { cached_tokens: 0 } } },
    ]);
  });

  it('gives the same parts whatever the read boundaries, and with CRLF framing', async () => {
    const eventsWithParts: Record<string, number> = { 'basic_response.txt': 4, 'tool_use_response.txt': 8, 'incomplete_partial_json_response.txt': 10 };
    for (const [name, count] of Object.entries(eventsWithParts)) {
      const whole = (await drain(parts(bytes(fixture(name))))).flat();
      for (const size of [1, 7, 64]) {
        const batches = await drain(parts(latin1(...split(fixture(name), size))));
        assert.deepEqual(batches.flat(), whole, `${name} in reads of ${size} bytes`);
        if (size === 1) assert.equal(batches.length, count, 'one batch per read that completed events with parts');
      }
      assert.deepEqual((await drain(parts(bytes(fixture(name).replaceAll('\n', '\r\n'))))).flat(), whole, `${name} with CRLF`);
    }
  });
});

describe('readAnthropicStream: composed streams', () => {
  it('thinking blocks become reasoning parts; a signature ends its block as a reasoning part with no text', async () => {
    const body =
      start() +
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }) +
      delta(0, { type: 'thinking_delta', thinking: 'Let me think' }) +
      delta(0, { type: 'thinking_delta', thinking: ' briefly.' }) +
      delta(0, { type: 'signature_delta', signature: 'EqQBCgIYAhIM' }) +
      blockStop(0) +
      blockStart(1, { type: 'text', text: '' }) +
      delta(1, { type: 'text_delta', text: '42' }) +
      blockStop(1) +
      end('end_turn');
    const flat = (await drain(parts(bytes(body)))).flat();
    assert.deepEqual(flat.slice(0, 5), [
      { type: 'reasoning', text: 'Let me think' },
      { type: 'reasoning', text: ' briefly.' },
      { type: 'reasoning', text: '', signature: 'EqQBCgIYAhIM' },
      { type: 'text', text: '42' },
      { type: 'finish', reason: 'stop' },
    ]);
    const chunks = (await drain(encodeChatChunks(parts(bytes(body)), { id: 'c', created: 1, model: 'm', includeUsage: false }))).flat().map((t) => JSON.parse(t));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', reasoning_content: 'Let me think' });
    assert.deepEqual(chunks[2].choices[0].delta, { thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'EqQBCgIYAhIM' }] });
  });

  it('parallel tool calls after text get OpenAI indexes 0 and 1; a call without input deltas has arguments {}', async () => {
    const body =
      start() +
      blockStart(0, { type: 'text', text: '' }) +
      delta(0, { type: 'text_delta', text: 'Both.' }) +
      blockStop(0) +
      blockStart(1, { type: 'tool_use', id: 'toolu_a', name: 'get_time', input: {} }) +
      blockStop(1) +
      blockStart(2, { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: {} }) +
      delta(2, { type: 'input_json_delta', partial_json: '' }) +
      delta(2, { type: 'input_json_delta', partial_json: '{"city":"Oslo"}' }) +
      blockStop(2) +
      end('tool_use');
    assert.deepEqual((await drain(parts(bytes(body)))).flat().slice(1, 6), [
      { type: 'tool-call', index: 0, id: 'toolu_a', name: 'get_time', arguments: '' },
      { type: 'tool-call', index: 0, arguments: '{}' },
      { type: 'tool-call', index: 1, id: 'toolu_b', name: 'get_weather', arguments: '' },
      { type: 'tool-call', index: 1, arguments: '{"city":"Oslo"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('the JSON response tool streams as text and finishes with stop', async () => {
    const body =
      start() +
      blockStart(0, { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} }) +
      delta(0, { type: 'input_json_delta', partial_json: '{"answer":' }) +
      delta(0, { type: 'input_json_delta', partial_json: ' "yes"}' }) +
      blockStop(0) +
      end('tool_use');
    assert.deepEqual((await drain(parts(bytes(body), true))).flat().slice(0, 3), [
      { type: 'text', text: '{"answer":' },
      { type: 'text', text: ' "yes"}' },
      { type: 'finish', reason: 'stop' },
    ]);
    const asTool = (await drain(parts(bytes(body), false))).flat();
    assert.deepEqual(asTool.find((p) => p.type === 'finish'), { type: 'finish', reason: 'tool_calls' }, 'a tool of that name is a tool when no schema was asked for');
  });

  it('usage: cache reads and writes count as prompt tokens, cache reads as cached; message_delta counts are cumulative and win', async () => {
    const body =
      start({ input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 1 }) +
      blockStart(0, { type: 'text', text: '' }) +
      delta(0, { type: 'text_delta', text: 'ok' }) +
      blockStop(0) +
      end('end_turn', { output_tokens: 7, input_tokens: null });
    assert.deepEqual((await drain(parts(bytes(body)))).flat().at(-1), {
      type: 'usage',
      usage: { prompt_tokens: 115, completion_tokens: 7, total_tokens: 122, prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 5 } },
    });
  });

  it('no usage anywhere means no usage part (the route counts tokens itself)', async () => {
    const body = event({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', content: [], model: 'x', stop_reason: null, stop_sequence: null } }) + blockStart(0, { type: 'text', text: '' }) + delta(0, { type: 'text_delta', text: 'hi' }) + event({ type: 'message_delta', delta: { stop_reason: 'end_turn' } }) + event({ type: 'message_stop' });
    assert.deepEqual((await drain(parts(bytes(body)))).flat(), [{ type: 'text', text: 'hi' }, { type: 'finish', reason: 'stop' }]);
  });

  it('refusal maps to content_filter; an unknown stop reason is kept raw', async () => {
    assert.deepEqual((await drain(parts(bytes(start() + end('refusal'))))).flat()[0], { type: 'finish', reason: 'content_filter' });
    assert.deepEqual((await drain(parts(bytes(start() + end('brand_new_reason'))))).flat()[0], { type: 'finish', reason: 'brand_new_reason' });
  });

  it('unknown event types and ping are skipped', async () => {
    const body = start() + 'event: ping\ndata: {"type": "ping"}\n\n' + event({ type: 'future_event', x: 1 }) + blockStart(0, { type: 'server_tool_use', id: 's', name: 'web_search', input: {} }) + blockStop(0) + end('end_turn');
    assert.deepEqual((await drain(parts(bytes(body)))).flat().map((p) => p.type), ['finish', 'usage']);
  });
});

describe('readAnthropicStream: failures', () => {
  it('an error event throws after the parts before it: overloaded_error is a retryable 503', async () => {
    const body = start() + blockStart(0, { type: 'text', text: '' }) + delta(0, { type: 'text_delta', text: 'partial' });
    const seen: StreamPart[] = [];
    await assert.rejects(
      async () => {
        for await (const batch of parts(bytes(body, event({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })))) seen.push(...batch);
      },
      (error: unknown) => error instanceof ApiError && error.code === 'model_unavailable' && error.status === 503 && error.retryable && /Overloaded/.test(error.message),
    );
    assert.deepEqual(seen, [{ type: 'text', text: 'partial' }]);
  });

  it('an api_error event is a 502', async () => {
    await assert.rejects(drain(parts(bytes(start() + event({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } })))), (error: unknown) => error instanceof ApiError && error.code === 'upstream_error' && error.status === 502);
  });

  it('a stream that ends before message_stop is an error, even after message_delta', async () => {
    const cut = start() + blockStart(0, { type: 'text', text: '' }) + delta(0, { type: 'text_delta', text: 'cut' }) + event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } });
    await assert.rejects(drain(parts(bytes(cut))), (error: unknown) => error instanceof ApiError && error.code === 'upstream_error' && /before message_stop/.test(error.message));
  });

  it('an event that is not JSON is an upstream error', async () => {
    await assert.rejects(drain(parts(bytes(start(), 'event: content_block_delta\ndata: {not json\n\n'))), (error: unknown) => error instanceof ApiError && error.code === 'upstream_error' && /malformed content_block_delta/.test(error.message));
  });

  it('a connection that breaks mid-stream is an upstream error', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(start());
      throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    }
    await assert.rejects(drain(parts(broken())), (error: unknown) => error instanceof ApiError && error.code === 'upstream_error' && /other side closed/.test(error.message));
  });
});

describe('readAnthropicStream: text and thinking deltas read by position', () => {
  const TEXTS = ['plain', 'two\nlines', 'a "quote"', 'back\\slash\\', 'é 😀 \u2028', '"}}', '\t', '\\"}}'];

  /** Counts the events (JSON objects) JSON.parse reads while `run` runs; an escaped text alone is parsed as a string. */
  async function parses<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
    const parse = JSON.parse;
    let count = 0;
    JSON.parse = ((...args: Parameters<typeof parse>) => {
      if (args[0].startsWith('{')) count++;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      return { result: await run(), count };
    } finally {
      JSON.parse = parse;
    }
  }

  it('escapes, quotes, non-ASCII and line separators come out as the general reading gives them', async () => {
    const deltas = TEXTS.map((text, i) => delta(0, i % 2 ? { type: 'thinking_delta', thinking: text } : { type: 'text_delta', text })).join('');
    const body = start() + blockStart(0, { type: 'text', text: '' }) + deltas + end('end_turn');
    const got = (await drain(parts(bytes(body)))).flat().filter((p) => p.type === 'text' || p.type === 'reasoning');
    assert.deepEqual(got, TEXTS.map((text, i) => ({ type: i % 2 ? 'reasoning' : 'text', text })));
    const escaped = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"\\u00e9\\ud83d\\ude00\\/"}}\n\n';
    const [first] = (await drain(parts(bytes(start(), escaped, end('end_turn'))))).flat();
    assert.deepEqual(first, { type: 'text', text: 'é😀/' });
  });

  it('a text delta is not parsed as an event; only the other events are', async () => {
    const body = start() + blockStart(0, { type: 'text', text: '' }) + TEXTS.map((text) => delta(0, { type: 'text_delta', text })).join('') + end('end_turn');
    const { result, count } = await parses(() => drain(parts(bytes(body))));
    assert.equal(result.flat().length, TEXTS.length + 2);
    // message_start, content_block_start, message_delta, message_stop
    assert.equal(count, 4);
  });

  it('other spellings of a delta take the general path; a delta cut or malformed after its text is still an error', async () => {
    const spaced = 'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "spaced"}}\n\n';
    const reordered = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"text":"reordered","type":"text_delta"}}\n\n';
    const got = (await drain(parts(bytes(start(), spaced, reordered, end('end_turn'))))).flat();
    assert.deepEqual(got.slice(0, 2), [{ type: 'text', text: 'spaced' }, { type: 'text', text: 'reordered' }]);
    for (const bad of ['{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\\"}}', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}x', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"b"}}']) {
      await assert.rejects(drain(parts(bytes(start(), `event: content_block_delta\ndata: ${bad}\n\n`))), (error: unknown) => error instanceof ApiError && /malformed content_block_delta/.test(error.message), bad);
    }
  });
});
