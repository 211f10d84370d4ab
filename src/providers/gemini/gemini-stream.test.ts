import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../../../test/support/fixtures.js';
import { assertOpenAISchema } from '../../../test/support/openai-schemas.js';
import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { encodeChatChunks } from '../../encode/chat-chunks.js';
import { readGeminiStream } from './gemini-stream.js';

const FIXTURES = fixturePath('gemini');
const mock = (name: string): string => readFileSync(path.join(FIXTURES, 'mock-responses', name), 'utf8');
/** A recording's streamed events as Google framed them on the wire (CRLF CRLF between events). */
const recorded = (name: string, interaction = 0): string =>
  (JSON.parse(readFileSync(path.join(FIXTURES, 'recordings', name), 'utf8')).interactions[interaction].response.bodySegments as unknown[])
    .map((segment) => `data: ${JSON.stringify(segment)}\r\n\r\n`)
    .join('');

/** The signature on the function call of the recorded thinking stream, and the tool call id that carries it (base64url). */
const STREAM_SIGNATURE = /"thoughtSignature": "([^"]+)"/.exec(mock('googleai/streaming-success-thinking-function-call-thought-summary-signature.txt'))![1];
const SIGNED_ID = `call_r1_0__thought__${STREAM_SIGNATURE.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`;

/** The text delivered `size` bytes per read, so events and UTF-8 characters split across reads. */
async function* bytes(text: string, size = 1 << 20): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.from(text);
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

async function partsOf(text: string, size?: number): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const batch of readGeminiStream(bytes(text, size), { provider: 'gemini', requestId: 'chatcmpl-r1' })) out.push(...batch);
  return out;
}

/** Consecutive text and reasoning parts joined, so expectations do not depend on event boundaries. */
function joined(parts: StreamPart[]): StreamPart[] {
  const out: StreamPart[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if ((part.type === 'text' || part.type === 'reasoning') && last?.type === part.type) last.text += part.text;
    else out.push({ ...part });
  }
  return out;
}

const usage = (prompt: number, completion: number, reasoning = 0, cached = 0) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached },
  completion_tokens_details: { reasoning_tokens: reasoning },
});

const failsWith = (text: string, check: (e: UpstreamError) => boolean) => assert.rejects(partsOf(text), (e: unknown) => e instanceof UpstreamError && check(e));

describe('readGeminiStream (recorded Gemini streams in, typed parts out)', () => {
  it('text deltas, the finish reason, and the last usage, whatever the read boundaries', async () => {
    const expected = [
      { type: 'text', text: 'The' },
      { type: 'text', text: ' capital of Wyoming' },
      { type: 'text', text: ' is **Cheyenne**.\n' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: usage(7, 10) },
    ];
    const fixture = mock('googleai/streaming-success-basic-reply-short.txt');
    assert.deepEqual(await partsOf(fixture), expected);
    assert.deepEqual(await partsOf(fixture, 7), expected);
    assert.deepEqual(await partsOf(fixture.replaceAll('\r\n', '\n'), 5), expected, 'LF framing');
  });

  it('thought summaries as reasoning, then the answer; thoughts counted in completion tokens', async () => {
    const parts = joined(await partsOf(mock('googleai/streaming-success-thinking-reply-thought-summary.txt')));
    assert.deepEqual(parts.map((p) => p.type), ['reasoning', 'text', 'finish', 'usage']);
    assert.match((parts[0] as { text: string }).text, /^\*\*Exploring Sky Color\*\*[\s\S]*\*\*Constructing a Concise Answer/);
    assert.equal(
      (parts[1] as { text: string }).text,
      "The sky is blue because tiny gas molecules in Earth's atmosphere scatter blue light from the sun more efficiently than other colors. Blue light has shorter, smaller wavelengths, causing it to be scattered in all directions, making the sky appear blue to our eyes.",
    );
    assert.deepEqual(parts.slice(2), [{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: usage(10, 588, 540) }]);
  });

  it('a whole function call after thinking (with its signature) is one tool-call part; finish tool_calls', async () => {
    const parts = joined(await partsOf(mock('googleai/streaming-success-thinking-function-call-thought-summary-signature.txt')));
    assert.deepEqual(parts.map((p) => p.type), ['reasoning', 'tool-call', 'finish', 'usage']);
    assert.deepEqual(parts.slice(1), [
      { type: 'tool-call', index: 0, id: SIGNED_ID, name: 'now', arguments: '{}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: usage(38, 174, 168) },
    ]);
  });

  it('the recorded function-calling stream of the official SDK', async () => {
    assert.deepEqual(await partsOf(recorded('Chats_Tests_chats_function_calling_Google_AI_with_function_calling_stream.json', 1)), [
      { type: 'tool-call', index: 0, id: 'call_r1_0', name: 'customDivide', arguments: '{"denominator":2,"numerator":50}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: usage(38, 6) },
    ]);
    assert.deepEqual(await partsOf(mock('vertexai/streaming-success-function-call-short.txt')), [
      { type: 'tool-call', index: 0, id: 'call_r1_0', name: 'getTemperature', arguments: '{"city":"San Jose"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('MAX_TOKENS ends with length; usage keeps the last cumulative counts', async () => {
    const parts = joined(await partsOf(recorded('Client_Tests_generateContentStream_ML_Dev_should_stream_generate_content_with_specified_parameters.json')));
    assert.deepEqual(parts.map((p) => p.type), ['text', 'finish', 'usage']);
    assert.match((parts[0] as { text: string }).text, /^The sky is blue primarily due to a phenomenon called \*\*Rayleigh Scattering\*\*\.[\s\S]*collides with these gas molecules and particles\.$/);
    assert.deepEqual(parts.slice(1), [{ type: 'finish', reason: 'length' }, { type: 'usage', usage: usage(7, 198, 45) }]);
  });

  it('a recitation stop after text is content_filter, with the text already sent', async () => {
    const parts = joined(await partsOf(mock('googleai/streaming-failure-recitation-no-content.txt')));
    assert.deepEqual(parts, [
      { type: 'text', text: 'text1text2text3text4text5text6text7text8' },
      { type: 'finish', reason: 'content_filter' },
      { type: 'usage', usage: usage(9, 261) },
    ]);
  });

  it('a blocked prompt (promptFeedback, no candidates) is an empty content_filter answer', async () => {
    assert.deepEqual(await partsOf(mock('googleai/streaming-failure-prompt-blocked-safety.txt')), [{ type: 'finish', reason: 'content_filter' }]);
  });

  it('events without parts and media parts add nothing; finishMessage and code execution are skipped', async () => {
    const empty = joined(await partsOf(mock('googleai/streaming-success-empty-parts.txt')));
    assert.deepEqual(empty, [
      { type: 'text', text: "Here's a cute cartoon kitten playing with a ball of yarn for you! " },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: usage(16, 1307) },
    ]);
    const noParts = joined(await partsOf(mock('googleai/streaming-success-no-content-parts.txt')));
    assert.deepEqual(noParts.slice(1), [{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: usage(34, 1370) }]);
    assert.deepEqual(await partsOf(mock('googleai/streaming-success-finish-message.txt')), [
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' world!' },
      { type: 'finish', reason: 'stop' },
    ]);
    const code = joined(await partsOf(mock('googleai/streaming-success-code-execution.txt')));
    assert.deepEqual(code.map((p) => p.type), ['text', 'finish', 'usage']);
    assert.match((code[0] as { text: string }).text, /sum using a Python tool:\n\nThe sum of the first 5 prime numbers is 28\.$/);
    assert.deepEqual(code[2], { type: 'usage', usage: usage(264, 221, 95) });
  });

  it('long, cited and URL-context streams and the recorded text stream: text start and usage', async () => {
    const cases: Array<[string, string, ReturnType<typeof usage>]> = [
      [mock('googleai/streaming-success-basic-reply-long.txt'), "Okay, let's dive into the world of cats and dogs!", usage(10, 1996)],
      [mock('googleai/streaming-success-citations.txt'), "Okay, let's break down quantum mechanics.", usage(15, 1381)],
      [mock('googleai/streaming-success-url-context.txt'), '\nThe Google homepage', usage(1057, 120, 39)],
      [recorded('Chats_Tests_sendMessage_Google_AI_with_text_stream.json'), 'The sky is blue due to a phenomenon called **Rayleigh scattering**.', usage(6, 377)],
    ];
    for (const [text, start, expected] of cases) {
      const parts = joined(await partsOf(text, 100));
      assert.deepEqual(parts.map((p) => p.type), ['text', 'finish', 'usage']);
      assert.ok((parts[0] as { text: string }).text.startsWith(start), start);
      assert.deepEqual(parts.slice(1), [{ type: 'finish', reason: 'stop' }, { type: 'usage', usage: expected }]);
    }
  });

  it('a bare error object in the stream is thrown after the text before it', async () => {
    const seen: StreamPart[] = [];
    const stream = readGeminiStream(bytes(mock('vertexai/streaming-failure-error-mid-stream.txt'), 64), { provider: 'gemini', requestId: 'chatcmpl-r1' });
    await assert.rejects(
      (async () => {
        for await (const batch of stream) seen.push(...batch);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.code === 'upstream_error' && e.status === 502 && /CANCELLED/.test(e.message),
    );
    assert.deepEqual(joined(seen), [{ type: 'text', text: 'First Second ' }]);
  });

  it('an error object as the whole body, or as a data: event, keeps its meaning', async () => {
    await failsWith(mock('googleai/streaming-failure-image-rejected.txt'), (e) => e.code === 'invalid_request' && e.status === 400 && e.message === 'Request contains an invalid argument.');
    await failsWith('data: {"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"}]}}\r\n\r\n', (e) => e.status === 429 && e.retryAfter === '3');
  });

  it('a stream that ends without a finish reason, or with bytes that are not events, is an error', async () => {
    const cut = mock('googleai/streaming-success-basic-reply-short.txt').split('\r\n\r\n').slice(0, 2).join('\r\n\r\n');
    await failsWith(cut, (e) => e.status === 502 && /ended the stream before finishing/.test(e.message));
    await failsWith('<html>Bad gateway</html>\n', (e) => e.status === 502 && /not an event/.test(e.message));
    await failsWith('data: {"candidates": [\n\n', (e) => e.status === 502 && /not JSON/.test(e.message));
    await failsWith('data: null\n\n', (e) => e.status === 502 && /not a JSON object/.test(e.message));
  });

  it('encoded for the client: role first, one tool-call delta with id, name and arguments, finish, usage', async () => {
    const parts = readGeminiStream(bytes(mock('googleai/streaming-success-thinking-function-call-thought-summary-signature.txt')), { provider: 'gemini', requestId: 'chatcmpl-r1' });
    const chunks: Array<Record<string, any>> = [];
    for await (const batch of encodeChatChunks(parts, { id: 'chatcmpl-r1', created: 1, model: 'gemini-2.5-flash', includeUsage: true })) {
      for (const text of batch) chunks.push(JSON.parse(text));
    }
    for (const chunk of chunks) assertOpenAISchema('CreateChatCompletionStreamResponse', chunk);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.match(chunks[0].choices[0].delta.reasoning_content, /^\*\*Calculating the Days\*\*/);
    assert.deepEqual(chunks.slice(2), [
      {
        id: 'chatcmpl-r1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'gemini-2.5-flash',
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: SIGNED_ID, type: 'function', function: { arguments: '{}', name: 'now' } }] }, logprobs: null, finish_reason: null }],
      },
      { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'gemini-2.5-flash', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
      { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'gemini-2.5-flash', choices: [], usage: usage(38, 174, 168) },
    ]);
  });
});

describe('readGeminiStream: text-only events read by position', () => {
  const spaced = (text: string, fields = '') => `data: {"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(text)}}],"role": "model"}}]${fields}}\r\n\r\n`;
  const compact = (text: string, fields = '') => `data: {"candidates":[{"content":{"parts":[{"text":${JSON.stringify(text)}}],"role":"model"},"index":0}]${fields}}\r\n\r\n`;
  const meta = (total: number) => `,"usageMetadata": {"promptTokenCount": 7,"candidatesTokenCount": ${total - 7},"totalTokenCount": ${total}},"modelVersion": "gemini-2.0-flash","responseId": "r"`;
  const finish = (fields = '') => `data: {"candidates": [{"content": {"parts": [{"text": "."}],"role": "model"},"finishReason": "STOP"}]${fields}}\r\n\r\n`;
  const TEXTS = ['plain', 'two\nlines', 'a "quote"', 'back\\slash\\', 'é 😀 \u2028', '"}],"role": "model"}}]', '\t'];

  async function eventsParsed<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
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

  it("Google's spacing and compact JSON, escapes and look-alike text: the same parts as the general reading", async () => {
    for (const event of [spaced, compact]) {
      const parts = await partsOf(TEXTS.map((text, i) => event(text, meta(8 + i))).join('') + finish(meta(20)));
      assert.deepEqual(parts, [...TEXTS.map((text) => ({ type: 'text', text })), { type: 'text', text: '.' }, { type: 'finish', reason: 'stop' }, { type: 'usage', usage: usage(7, 13) }]);
    }
  });

  it('text events with usage are not parsed as events; the usage of the last one counts, read once at the end', async () => {
    const { result, count } = await eventsParsed(() => partsOf(finish() + TEXTS.map((text, i) => spaced(text, meta(8 + i))).join('')));
    assert.deepEqual(result.at(-1), { type: 'usage', usage: usage(7, 7) });
    // Only the last text event's fields after its candidates.
    assert.equal(count, 1);
    const rated = `data: {"candidates": [{"content": {"parts": [{"text": "."}],"role": "model"},"finishReason": "STOP","safetyRatings": []}]${meta(9)}}\r\n\r\n`;
    const earlier = await eventsParsed(() => partsOf(spaced('a', meta(30)) + rated));
    assert.deepEqual(earlier.result.at(-1), { type: 'usage', usage: usage(7, 2) }, 'a later parsed event wins over an earlier quick one');
    assert.equal(earlier.count, 1);
  });

  it('a finish reason beside the text is read by position too', async () => {
    const { result, count } = await eventsParsed(() => partsOf(compact('a') + compact('b').replace('"role":"model"}', '"role":"model"},"finishReason":"MAX_TOKENS"')));
    assert.deepEqual(result, [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }, { type: 'finish', reason: 'length' }]);
    assert.equal(count, 0);
  });

  it('thoughts, finish reasons and errors beside the text take the general path', async () => {
    const thought = 'data: {"candidates": [{"content": {"parts": [{"text": "hmm","thought": true}],"role": "model"}}]}\r\n\r\n';
    assert.deepEqual((await partsOf(thought + finish())).slice(0, 1), [{ type: 'reasoning', text: 'hmm' }]);
    await failsWith(spaced('a', ',"error": {"code": 503,"message": "overloaded","status": "UNAVAILABLE"}'), (e) => /503 UNAVAILABLE\): overloaded/.test(e.message));
  });

  it('a text event whose usage is not JSON fails when the stream ends, after the text; one cut short fails at once', async () => {
    const seen: StreamPart[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of readGeminiStream(bytes(spaced('kept', ',"usageMetadata": {"promptTokenCount": }') + finish()), { provider: 'gemini', requestId: 'chatcmpl-r1' })) seen.push(...batch);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.status === 502 && /not JSON/.test(e.message),
    );
    assert.deepEqual(seen, [{ type: 'text', text: 'kept' }, { type: 'text', text: '.' }]);
    await failsWith(spaced('a', ',"usageMetadata": {"promptTokenCount": 7').replace('}\r\n', '\r\n'), (e) => /not JSON/.test(e.message));
  });

  it('bare lines that never make up a JSON object fail once they pass 64 KiB, without waiting for the end', async () => {
    const seen: StreamPart[] = [];
    const reads = ['{ junk that never closes\n'.repeat(3000), 'data: {"candidates": [{"content": {"parts": [{"text": "late"}],"role": "model"},"finishReason": "STOP"}]}\r\n\r\n'];
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const read of reads) yield Buffer.from(read);
    }
    await assert.rejects(
      (async () => {
        for await (const batch of readGeminiStream(source(), { provider: 'gemini', requestId: 'chatcmpl-r1' })) seen.push(...batch);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.status === 502 && /not an event/.test(e.message),
    );
    assert.deepEqual(seen, []);
  });
});
