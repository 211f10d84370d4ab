import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { signThinking } from '../../core/anthropic-messages.js';
import type { StreamPart } from '../../core/chat.js';
import { encodeAnthropicMessage } from '../../encode/anthropic-message.js';
import { AnthropicStreamEncoder } from '../../encode/anthropic-stream.js';
import { collectChatCompletion, encodeChatChunks } from '../../encode/chat-chunks.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import type { AnthropicMessage } from './anthropic-api.js';
import { readAnthropicStream } from './anthropic-stream.js';
import { convertAnthropicMessage } from './convert-anthropic-message.js';

/** A recorded Anthropic stream with a signed thinking block (test/fixtures/SOURCES.md): one event's JSON per line, framed here as Anthropic sends it. */
const recorded = readFileSync(fixturePath('anthropic', 'clear_thinking.chunks.txt'), 'utf8').split('\n');
const framed = (lines: readonly string[]): string => lines.map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`).join('');
const SIGNATURE = (JSON.parse(recorded.find((l) => l.includes('signature_delta'))!) as { delta: { signature: string } }).delta.signature;

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

async function drain<T>(stream: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of stream) out.push(...batch);
  return out;
}

const read = (text: string) => readAnthropicStream(bytes(text), { provider: 'anthropic', jsonResponse: false });
const ctx = { id: 'chatcmpl-0123abcd', model: 'claude-sonnet-4-5', thinking: true, stopSequences: [] };

/** What the Messages route writes for these parts: chat chunks, then Anthropic's events. */
async function reencode(parts: AsyncIterable<StreamPart[]>, thinking = true): Promise<string> {
  const encoder = new AnthropicStreamEncoder({ ...ctx, thinking }, () => '');
  let out = '';
  for await (const chunks of encodeChatChunks(parts, { id: ctx.id, created: 1, model: ctx.model, includeUsage: false })) out += encoder.batch(chunks);
  return out + encoder.end({ prompt_tokens: 69, completion_tokens: 53, total_tokens: 122 });
}

async function* once(parts: StreamPart[]): AsyncGenerator<StreamPart[]> {
  yield parts;
}

describe('Anthropic extended thinking through the core parts', () => {
  it('reads thinking_delta pieces, then the signature_delta as a reasoning part with no text and the signature', async () => {
    const parts = await drain(read(framed(recorded)));
    const reasoning = parts.filter((p) => p.type === 'reasoning');
    assert.equal(reasoning.map((p) => p.text).join(''), 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
    assert.deepEqual(reasoning.at(-1), { type: 'reasoning', text: '', signature: SIGNATURE });
    assert.equal(reasoning.filter((p) => p.signature !== undefined).length, 1);
    assert.deepEqual(parts.filter((p) => p.type === 'text').map((p) => p.text), ['925', ' ÷ 5 ', '= 185']);
  });

  it("re-encoded for a Messages API client, the blocks are Anthropic's bytes: thinking deltas, its own signature_delta, the text", async () => {
    const out = await reencode(read(framed(recorded)));
    const first = recorded.findIndex((l) => l.includes('"content_block_start"'));
    const last = recorded.findLastIndex((l) => l.includes('"content_block_stop"'));
    // The recorded stream's one empty thinking_delta carries nothing and is not written.
    const blocks = recorded.slice(first, last + 1).filter((l) => !l.includes('"thinking":""}}'));
    assert.ok(out.includes(framed(blocks)), out);
    assert.doesNotMatch(out, /opensq\.v1\./, 'the gateway signs nothing Anthropic signed');
  });

  it('a redacted_thinking block passes with its data, in streams and answers', async () => {
    const data = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP';
    const stream =
      framed([recorded[0]]) +
      framed([
        JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data } }),
        JSON.stringify({ type: 'content_block_stop', index: 0 }),
        JSON.stringify({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
        JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } }),
        JSON.stringify({ type: 'content_block_stop', index: 1 }),
      ]) +
      framed(recorded.slice(-2));
    const parts = await drain(read(stream));
    assert.deepEqual(parts[0], { type: 'redacted-reasoning', data });
    const out = await reencode(read(stream));
    assert.ok(out.includes(`event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"${data}"}}\n\n`), out);
    assert.ok(out.includes('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}'), out);

    const message: AnthropicMessage = {
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'end_turn', stop_sequence: null,
      content: [{ type: 'thinking', thinking: 'plan', signature: SIGNATURE }, { type: 'redacted_thinking', data }, { type: 'text', text: 'Hi' }],
    };
    const { completion } = await collectChatCompletion(once(convertAnthropicMessage(message, { jsonResponse: false })), { id: ctx.id, created: 1, model: ctx.model });
    assert.deepEqual(JSON.parse(encodeAnthropicMessage(completion, ctx)).content, message.content);
  });

  it('two signed blocks stay two blocks, each with its own signature; without thinking asked for, none is written', async () => {
    const parts: StreamPart[] = [
      { type: 'reasoning', text: 'one' },
      { type: 'reasoning', text: '', signature: 'sig-1' },
      { type: 'reasoning', text: 'two' },
      { type: 'reasoning', text: '', signature: 'sig-2' },
      { type: 'text', text: 'done' },
      { type: 'finish', reason: 'stop' },
    ];
    const out = await reencode(once(parts));
    const starts = [...out.matchAll(/"content_block":(\{[^}]*\})/g)].map((m) => JSON.parse(m[1]).type);
    assert.deepEqual(starts, ['thinking', 'thinking', 'text']);
    assert.deepEqual([...out.matchAll(/"signature_delta","signature":"([^"]*)"/g)].map((m) => m[1]), ['sig-1', 'sig-2']);
    assert.doesNotMatch(await reencode(once(parts), false), /thinking|sig-/);

    const { completion } = await collectChatCompletion(once(parts), { id: ctx.id, created: 1, model: ctx.model });
    assert.deepEqual(JSON.parse(encodeAnthropicMessage(completion, ctx)).content, [
      { type: 'thinking', thinking: 'one', signature: 'sig-1' },
      { type: 'thinking', thinking: 'two', signature: 'sig-2' },
      { type: 'text', text: 'done' },
    ]);
  });

  it('thinking_blocks an OpenAI-compatible upstream wrote wrong are skipped, streamed or not', () => {
    const encoder = new AnthropicStreamEncoder(ctx, () => '');
    const chunk = (thinkingBlocks: unknown) => JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: 'r', thinking_blocks: thinkingBlocks }, finish_reason: null }] });
    const out = encoder.batch([chunk('sig'), chunk({ type: 'thinking' }), chunk([null, 5, 'x', { type: 'thinking' }, { type: 'thinking', signature: '' }, { type: 'redacted_thinking', data: 7 }])]);
    assert.doesNotMatch(out, /signature_delta|redacted/);
    assert.match(encoder.end({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }), new RegExp(`"signature":"${signThinking('rrr')}"`));
    const completion = (thinkingBlocks: unknown) => ({ id: ctx.id, object: 'chat.completion' as const, created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant' as const, content: 'a', reasoning_content: 'why', thinking_blocks: thinkingBlocks as never }, finish_reason: 'stop' }] });
    for (const bad of [{}, 'x', [null, { type: 'thinking' }]]) {
      assert.deepEqual(JSON.parse(encodeAnthropicMessage(completion(bad), ctx)).content, [{ type: 'thinking', thinking: 'why', signature: signThinking('why') }, { type: 'text', text: 'a' }]);
    }
  });

  it("unsigned reasoning (another provider's) is still signed by the gateway", async () => {
    const out = await reencode(once([{ type: 'reasoning', text: 'mine' }, { type: 'text', text: 'x' }, { type: 'finish', reason: 'stop' }]));
    assert.ok(out.includes(`"signature_delta","signature":"${signThinking('mine')}"`), out);
  });
});
