/**
 * Cohere v2 event streams, written in Cohere's exact framing (`event:` and `data:` lines, the
 * same JSON shapes as its recorded traffic), replayed through the reader and the chunk encoder.
 * No recorded Cohere traffic is published, so the streams are spelled out here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { encodeChatChunks } from '../../encode/chat-chunks.js';
import { readCohereStream } from './cohere-stream.js';

const sse = (...events: object[]): string => events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

/** The body as `reads`, split at the given character offsets as a socket might deliver it. */
async function* body(text: string, splits: number[] = []): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const end of [...splits, text.length]) {
    yield Buffer.from(text.slice(start, end));
    start = end;
  }
}

async function collect(text: string, splits?: number[], stopSequences?: string[]): Promise<StreamPart[][]> {
  const batches: StreamPart[][] = [];
  for await (const batch of readCohereStream(body(text, splits), { provider: 'cohere', stopSequences })) batches.push(batch);
  return batches;
}

const start = { id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4', type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } };
const text = (t: string, index = 0) => ({ type: 'content-delta', index, delta: { message: { content: { text: t } } } });
const usage = { billed_units: { input_tokens: 12, output_tokens: 7 }, tokens: { input_tokens: 507, output_tokens: 10 }, cached_tokens: 448 };

const TEXT_STREAM = sse(
  start,
  { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
  text('The'),
  text(' capital'),
  text(' is Paris.'),
  { type: 'content-end', index: 0 },
  { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage } },
);

const TOOL_STREAM = sse(
  start,
  { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will' } } },
  { type: 'tool-plan-delta', delta: { message: { tool_plan: ' look.' } } },
  { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'weather_e8p4pn45zt0t', type: 'function', function: { name: 'weather', arguments: '' } } } } },
  { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"city":' } } } } },
  { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: ' "Paris"}' } } } } },
  { type: 'tool-call-end', index: 0 },
  { type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 'currentTime_y46ar19t5gvw', type: 'function', function: { name: 'currentTime', arguments: '' } } } } },
  { type: 'tool-call-end', index: 1 },
  { type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 119, output_tokens: 44 }, tokens: { input_tokens: 1549, output_tokens: 95 }, cached_tokens: 1504 } } },
);

describe('readCohereStream', () => {
  it('reads text, the finish reason and billed usage with the cache hits on billed tokens', async () => {
    assert.deepEqual((await collect(TEXT_STREAM)).flat(), [
      { type: 'text', text: 'The capital is Paris.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 0 } } },
    ]);
  });

  it('yields one batch per read, whatever the split, and joins text within a batch', async () => {
    const splits = [10, TEXT_STREAM.indexOf(' capital'), TEXT_STREAM.indexOf('message-end')];
    const batches = await collect(TEXT_STREAM, splits);
    assert.equal(batches.length, 3);
    const [first, second, third] = batches;
    assert.deepEqual([first, second], [[{ type: 'text', text: 'The' }], [{ type: 'text', text: ' capital is Paris.' }]]);
    assert.deepEqual(third.map((part) => part.type), ['finish', 'usage']);
  });

  it('reads the tool plan as reasoning and numbers tool calls; a call without arguments gets {}', async () => {
    assert.deepEqual((await collect(TOOL_STREAM)).flat(), [
      { type: 'reasoning', text: 'I will look.' },
      { type: 'tool-call', index: 0, id: 'weather_e8p4pn45zt0t', name: 'weather', arguments: '' },
      { type: 'tool-call', index: 0, arguments: '{"city":' },
      { type: 'tool-call', index: 0, arguments: ' "Paris"}' },
      { type: 'tool-call', index: 1, id: 'currentTime_y46ar19t5gvw', name: 'currentTime', arguments: '' },
      { type: 'tool-call', index: 1, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt_tokens: 119, completion_tokens: 44, total_tokens: 163, prompt_tokens_details: { cached_tokens: 74 } } },
    ]);
  });

  it('numbers tool calls from 0 even when Cohere counts them after content blocks', async () => {
    const stream = sse(
      start,
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
      text('Checking.'),
      { type: 'content-end', index: 0 },
      { type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } } } } },
      { type: 'tool-call-end', index: 1 },
      { type: 'message-end', delta: { finish_reason: 'TOOL_CALL' } },
    );
    assert.deepEqual((await collect(stream)).flat(), [
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', index: 0, id: 't1', name: 'f', arguments: '{"a":1}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('reads thinking content as reasoning and keeps unknown finish reasons in lower case', async () => {
    const stream = sse(
      start,
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } },
      { type: 'content-delta', index: 0, delta: { message: { content: { thinking: 'Two and two.' } } } },
      { type: 'content-end', index: 0 },
      { type: 'content-start', index: 1, delta: { message: { content: { type: 'text', text: '' } } } },
      text('4', 1),
      { type: 'citation-start', index: 0, delta: { message: { citations: { start: 0, end: 1, text: '4', sources: [] } } } },
      { type: 'citation-end', index: 0 },
      { type: 'content-end', index: 1 },
      { type: 'message-end', delta: { finish_reason: 'TIMEOUT' } },
    );
    assert.deepEqual((await collect(stream)).flat(), [
      { type: 'reasoning', text: 'Two and two.' },
      { type: 'text', text: '4' },
      { type: 'finish', reason: 'timeout' },
    ]);
  });

  it('STOP_SEQUENCE finishes as stop, with the sequence when the request sent only one', async () => {
    const stream = sse(start, text('Amsterdam'), { type: 'message-end', delta: { finish_reason: 'STOP_SEQUENCE', usage } });
    const finish = async (stops?: string[]) => (await collect(stream, [], stops)).flat().find((p) => p.type === 'finish');
    assert.deepEqual(await finish(['END']), { type: 'finish', reason: 'stop', stopSequence: 'END' });
    assert.deepEqual(await finish(['END', 'STOP']), { type: 'finish', reason: 'stop' });
    assert.deepEqual(await finish(), { type: 'finish', reason: 'stop' });
  });

  it('ignores whatever follows message-end, such as a [DONE] line', async () => {
    const parts = (await collect(`${TEXT_STREAM}data: [DONE]\n\n`)).flat();
    assert.equal(parts.at(-1)!.type, 'usage');
  });

  it("throws Cohere's mid-stream failure after the text that came before it", async () => {
    const stream = sse(start, text('Hal'), text('f'), { type: 'message-end', delta: { error: 'internal server error', finish_reason: 'ERROR' } });
    const seen: StreamPart[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of readCohereStream(body(stream), { provider: 'cohere' })) seen.push(...batch);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.code === 'upstream_error' && e.status === 502 && /failed mid-stream: internal server error/.test(e.message),
    );
    assert.deepEqual(seen, [{ type: 'text', text: 'Half' }]);
  });

  it('throws when the stream ends before message-end or sends something that is not JSON', async () => {
    await assert.rejects(collect(sse(start, text('cut'))), /ended the stream before message-end/);
    await assert.rejects(collect(`${sse(start)}event: content-delta\ndata: {oops\n\n`), /not JSON/);
    await assert.rejects(collect(sse(start, { type: 'tool-call-delta', index: 3, delta: { message: { tool_calls: { function: { arguments: '{' } } } } })), /before its tool-call-start/);
  });
});

describe('Cohere stream → OpenAI chunks', () => {
  const ctx = { id: 'chatcmpl-1', created: 1_750_000_000, model: 'command-r-plus', includeUsage: true };
  const chunks = async (stream: string) => {
    const out: unknown[] = [];
    for await (const batch of encodeChatChunks(readCohereStream(body(stream), { provider: 'cohere' }), ctx)) out.push(...batch.map((c) => JSON.parse(c)));
    return out;
  };
  const chunk = (delta: object, finish: string | null = null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'command-r-plus', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

  it('streams parallel tool calls with id and name once and argument deltas by index', async () => {
    assert.deepEqual(await chunks(TOOL_STREAM), [
      chunk({ role: 'assistant', reasoning_content: 'I will look.' }),
      chunk({ tool_calls: [{ index: 0, id: 'weather_e8p4pn45zt0t', type: 'function', function: { arguments: '', name: 'weather' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'currentTime_y46ar19t5gvw', type: 'function', function: { arguments: '', name: 'currentTime' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'command-r-plus', choices: [], usage: { prompt_tokens: 119, completion_tokens: 44, total_tokens: 163, prompt_tokens_details: { cached_tokens: 74 } } },
    ]);
  });
});
