import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import type { ChatCall, ChatStream, ProviderAdapter } from '../types.js';
import { convertToLlamaHistory } from './convert-to-llama-history.js';
import { LocalAdapter } from './index.js';
import { fixturePath } from '../../../test/support/fixtures.js';

const MODEL = fixturePath('models/stories260K.gguf');
const MODEL_SHA256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const PROMPT: ChatRequest['messages'] = [{ role: 'user', content: 'Once upon a time' }];

function makeCall(body: Partial<ChatRequest>, options: { signal?: AbortSignal; upstreamModel?: string; warn?: ChatCall['warn'] } = {}): ChatCall {
  return {
    body: { model: 'stories260K', messages: PROMPT, ...body },
    publicModel: 'stories260K',
    upstreamModel: options.upstreamModel ?? MODEL,
    signal: options.signal ?? new AbortController().signal,
    id: 'chatcmpl-test',
    created: 1700000000,
    warn: options.warn ?? (() => undefined),
  };
}

interface ChunkJson {
  choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

async function readAll(stream: ChatStream): Promise<{ batches: number; chunks: ChunkJson[]; content: string }> {
  let batches = 0;
  const chunks: ChunkJson[] = [];
  for await (const batch of stream) {
    batches++;
    chunks.push(...batch.map((text) => JSON.parse(text) as ChunkJson));
  }
  const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  return { batches, chunks, content };
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('local provider', () => {
  let adapter: ProviderAdapter;
  let modelsDir: string;

  before(async () => {
    const digest = createHash('sha256').update(await readFile(MODEL)).digest('hex');
    assert.equal(digest, MODEL_SHA256, `unexpected test model at ${MODEL}`);
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'opensq-local-'));
    adapter = new LocalAdapter({
      name: 'local',
      type: 'local',
      options: { threads: 1, sequences: 2, modelsDir },
      timeouts: { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 5000 },
    });
  });

  after(async () => {
    await adapter.close?.();
    await rm(modelsDir, { recursive: true, force: true });
  });

  test('answers a non-streaming chat with text, a finish reason and real usage', async () => {
    const { completion, usage } = await adapter.chat(makeCall({ max_tokens: 40 }));
    const choice = completion.choices[0]!;
    assert.equal(completion.model, 'stories260K');
    assert.equal(completion.id, 'chatcmpl-test');
    assert.ok(typeof choice.message.content === 'string' && choice.message.content.length > 0);
    assert.ok(choice.finish_reason === 'stop' || choice.finish_reason === 'length');
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert.ok(usage.completion_tokens <= 40);
    assert.deepEqual(completion.usage, usage);
  });

  test('streams text in several chunks, then usage when asked for', async () => {
    const stream = await adapter.stream(makeCall({ max_tokens: 60, stream_options: { include_usage: true } }));
    const { batches, chunks, content } = await readAll(stream);
    assert.ok(batches > 2, `expected several batches, got ${batches}`);
    assert.ok(content.length > 0);
    assert.equal(content, stream.completionText());
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0);
    assert.ok(last.usage.completion_tokens <= 60);
    assert.ok(chunks.some((c) => c.choices[0]?.finish_reason));
    assert.deepEqual(stream.usage(), last.usage);
  });

  test('leaves the usage chunk out unless asked for, but still reports usage', async () => {
    const stream = await adapter.stream(makeCall({ max_tokens: 10 }));
    const { chunks } = await readAll(stream);
    assert.ok(chunks.every((c) => c.usage === undefined));
    assert.ok(stream.usage()!.completion_tokens > 0);
  });

  test('stops at max_tokens with finish reason length', async () => {
    const { completion, usage } = await adapter.chat(makeCall({ max_tokens: 5 }));
    assert.equal(completion.choices[0]!.finish_reason, 'length');
    assert.ok(usage!.completion_tokens > 0 && usage!.completion_tokens <= 5);
  });

  test('follows a JSON schema response format', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, color: { enum: ['red', 'green'] } }, required: ['ok', 'color'] };
    const { completion } = await adapter.chat(
      makeCall({ max_tokens: 100, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } }),
    );
    const parsed = JSON.parse(completion.choices[0]!.message.content ?? '') as { ok: unknown; color: unknown };
    assert.equal(typeof parsed.ok, 'boolean');
    assert.ok(parsed.color === 'red' || parsed.color === 'green');
  });

  test('reports the parameters it does not honour, once, and only those', async () => {
    const warnings: string[] = [];
    const ignored = { n: 2, logprobs: true, top_logprobs: 2, logit_bias: { '50256': -100 }, presence_penalty: 0.5, frequency_penalty: 0.2 };
    await adapter.chat(makeCall({ max_tokens: 5, ...ignored }, { warn: (_code, message) => warnings.push(message) }));
    assert.equal(warnings.length, 1, warnings.join(' | '));
    for (const name of Object.keys(ignored)) assert.match(warnings[0], new RegExp(`(^|[ ,])${name}[,;]`), name);
    const quiet: string[] = [];
    const neutral = { n: 1, logprobs: false, top_logprobs: 0, logit_bias: {}, presence_penalty: 0, frequency_penalty: 0, temperature: 0.5, top_p: 0.9, seed: 1, stop: ['x'] };
    await adapter.chat(makeCall({ max_tokens: 5, ...neutral }, { warn: (_code, message) => quiet.push(message) }));
    await adapter.stream(makeCall({ max_tokens: 5, ...neutral, stream: true, stream_options: { include_usage: true } }, { warn: (_code, message) => quiet.push(message) }));
    assert.deepEqual(quiet, []);
  });

  test('stops promptly when the client aborts mid-stream', async () => {
    const controller = new AbortController();
    const stream = await adapter.stream(makeCall({ max_tokens: 2000 }, { signal: controller.signal }));
    let abortedAt = 0;
    try {
      for await (const batch of stream) {
        assert.ok(batch.length > 0);
        if (!abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    } catch (error) {
      assert.ok(error instanceof ApiError);
    }
    assert.ok(abortedAt > 0);
    assert.ok(performance.now() - abortedAt < 1000, 'the stream kept going after the abort');
    const { usage } = await adapter.chat(makeCall({ max_tokens: 5 }));
    assert.ok(usage!.completion_tokens > 0);
  });

  test('queues concurrent requests beyond the free sequences', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => adapter.chat(makeCall({ max_tokens: 30 }))));
    for (const { completion, usage } of results) {
      assert.ok((completion.choices[0]!.message.content ?? '').length > 0);
      assert.ok(usage!.completion_tokens > 0 && usage!.completion_tokens <= 30);
    }
  });

  test('gives up waiting in the queue when the client aborts', async () => {
    // Both sequences are held by streams that have started answering and are not read further.
    const busy = await Promise.all([0, 1].map(async () => (await adapter.stream(makeCall({ max_tokens: 300 })))[Symbol.asyncIterator]()));
    for (const iterator of busy) assert.equal((await iterator.next()).done, false);
    const controller = new AbortController();
    const waiting = adapter.chat(makeCall({ max_tokens: 5 }, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(waiting, 'upstream_timeout', /aborted/);
    await Promise.all(busy.map((iterator) => iterator.return?.()));
    const { usage } = await adapter.chat(makeCall({ max_tokens: 5 }));
    assert.ok(usage!.completion_tokens > 0);
  });

  test('reports a missing model file as model_unavailable', async () => {
    const missing = path.join(modelsDir, 'no-such-model.gguf');
    await rejectsWith(adapter.chat(makeCall({}, { upstreamModel: missing })), 'model_unavailable', /local model file not found: .*no-such-model\.gguf/);
  });

  test('fails an hf: download offline with a clear error, then still serves the file model', async () => {
    const started = performance.now();
    const hf = makeCall({}, { upstreamModel: 'hf:opensq-test/no-such-repo/model.gguf' });
    await rejectsWith(adapter.stream(hf), 'model_unavailable', /could not download local model hf:opensq-test\/no-such-repo\/model\.gguf: ./);
    assert.ok(performance.now() - started < 20_000);
    const { usage } = await adapter.chat(makeCall({ max_tokens: 5 }));
    assert.ok(usage!.completion_tokens > 0);
  });
});

describe('convertToLlamaHistory', () => {
  test('maps roles, keeps text parts, merges turns and writes tool traffic as text', () => {
    const history = convertToLlamaHistory([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Answer in English.' },
      { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'text', text: 'a cat' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'rain' },
      { role: 'user', content: 'So?' },
    ], 'tiny');
    assert.deepEqual(history, [
      { type: 'system', text: 'Be brief.\n\nAnswer in English.' },
      { type: 'user', text: 'Look:\na cat' },
      { type: 'model', response: ['[called tool weather with {"city":"Oslo"}]'] },
      { type: 'user', text: '[result of weather]\nrain\n\nSo?' },
    ]);
  });

  test('refuses parts it cannot read (images, audio, files) instead of leaving them out', () => {
    for (const part of [
      { type: 'image_url', image_url: { url: 'data:,' } },
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA', filename: 'a.pdf' } },
    ]) {
      assert.throws(
        () => convertToLlamaHistory([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Look:' }, part] }], 'tiny'),
        (error: unknown) =>
          error instanceof ApiError && error.code === 'unsupported_parameter' && error.status === 400 && error.param === 'messages[1].content[1]' && error.message.includes(part.type) && error.message.includes('`tiny`'),
      );
    }
  });
});
