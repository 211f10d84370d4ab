import type { ChatCompletion, FinishReason, StreamPart, ThinkingBlock, ToolCall, Usage } from '../core/chat.js';
import type { ChatStream } from '../core/chat-stream.js';
import { plausibleUsage } from '../core/plausible-usage.js';
import { type AnswerBlock, setAnswerOrder } from './answer-order.js';

export interface ChunkContext {
  id: string;
  created: number;
  model: string;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
}

/**
 * Encodes a provider's typed stream parts as OpenAI `chat.completion.chunk` JSON texts: the role
 * in the first delta, tool calls with their id and name once and arguments as deltas, the finish
 * reason in its own chunk, and usage as a final chunk with empty choices when asked for. Usage
 * with impossible counts is no usage: the route bills its own count and, when asked, writes it.
 */
export function encodeChatChunks(parts: AsyncIterable<StreamPart[]>, ctx: ChunkContext): ChatStream {
  let usage: Usage | undefined;
  let usageOwed = false;
  let text = '';
  // The fixed part of every chunk is serialized once per stream; each piece adds only its delta.
  const head = `{"id":${JSON.stringify(ctx.id)},"object":"chat.completion.chunk","created":${ctx.created},"model":${JSON.stringify(ctx.model)},"choices":[{"index":0,"delta":`;
  // A matched stop sequence rides on the finish chunk as vLLM's `stop_reason`.
  const chunk = (delta: Record<string, unknown>, finish: FinishReason | null, stopSequence?: string): string =>
    `${head}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}${stopSequence === undefined ? '' : `,"stop_reason":${JSON.stringify(stopSequence)}`}}]}`;

  async function* events(): AsyncGenerator<string[]> {
    let roleSent = false;
    let finish: FinishReason | undefined;
    let stopSequence: string | undefined;
    const withRole = (delta: Record<string, unknown>): Record<string, unknown> => {
      if (roleSent) return delta;
      roleSent = true;
      return { role: 'assistant', ...delta };
    };
    for await (const batch of parts) {
      const out: string[] = [];
      for (const part of batch) {
        switch (part.type) {
          case 'text':
            text += part.text;
            out.push(chunk(withRole({ content: part.text }), null));
            break;
          case 'reasoning':
            text += part.text;
            if (part.signature === undefined) out.push(chunk(withRole({ reasoning_content: part.text }), null));
            else out.push(chunk(withRole(signedDelta(part.text, part.signature)), null));
            break;
          case 'redacted-reasoning':
            out.push(chunk(withRole({ thinking_blocks: [{ type: 'redacted_thinking', data: part.data }] }), null));
            break;
          case 'tool-call': {
            text += (part.name ?? '') + part.arguments;
            const call: Record<string, unknown> = { index: part.index };
            if (part.id !== undefined) call.id = part.id;
            if (part.id !== undefined || part.name !== undefined) call.type = 'function';
            const fn: Record<string, string> = { arguments: part.arguments };
            if (part.name !== undefined) fn.name = part.name;
            call.function = fn;
            out.push(chunk(withRole({ tool_calls: [call] }), null));
            break;
          }
          case 'finish':
            finish = part.reason;
            stopSequence = part.stopSequence;
            break;
          case 'usage':
            // The latest report counts; one with impossible counts is refused, not replaced by an earlier one.
            usage = plausibleUsage(part.usage) ? part.usage : undefined;
            usageOwed = usage === undefined && ctx.includeUsage;
            break;
        }
      }
      if (out.length > 0) yield out;
    }
    const tail = [chunk(withRole({}), finish ?? 'stop', stopSequence)];
    if (ctx.includeUsage && usage) {
      tail.push(usageChunk(ctx, usage));
    }
    yield tail;
  }

  return { [Symbol.asyncIterator]: events, usage: () => usage, usageOwed: () => usageOwed, completionText: () => text };
}

/** The usage-only chunk that ends a stream whose client asked for usage: empty choices, as OpenAI writes it. */
export function usageChunk(ctx: Pick<ChunkContext, 'id' | 'created' | 'model'>, usage: Usage): string {
  return JSON.stringify({ id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, choices: [], usage });
}

/**
 * A reasoning piece that ends a signed block: the piece as `reasoning_content`, and the signature in
 * `thinking_blocks` (LiteLLM's name for Anthropic's blocks in OpenAI's shape), for clients to send back.
 */
function signedDelta(text: string, signature: string): Record<string, unknown> {
  const block = { type: 'thinking', thinking: '', signature };
  return text === '' ? { thinking_blocks: [block] } : { reasoning_content: text, thinking_blocks: [block] };
}

/** Collects typed stream parts into one `chat.completion`, for providers that only stream. */
export async function collectChatCompletion(
  parts: AsyncIterable<StreamPart[]>,
  ctx: Omit<ChunkContext, 'includeUsage'>,
): Promise<{ completion: ChatCompletion; usage: Usage | undefined }> {
  let content = '';
  let reasoning = '';
  // Signed and redacted reasoning blocks as `thinking_blocks`, and the text of the block being read.
  const blocks: ThinkingBlock[] = [];
  let block = '';
  let finish: FinishReason = 'stop';
  let stopSequence: string | undefined;
  let usage: Usage | undefined;
  const calls: ToolCall[] = [];
  // The blocks in the order they came; `thinking` is true while a thinking block is being read.
  const order: AnswerBlock[] = [];
  let thinking = false;
  // The text block being read, extended by each text part until another block starts.
  let text: Extract<AnswerBlock, { type: 'text' }> | undefined;
  for await (const batch of parts) {
    for (const part of batch) {
      if (part.type === 'text') {
        if (part.text === '') continue;
        content += part.text;
        if (text) text.end = content.length;
        else order.push((text = { type: 'text', start: content.length - part.text.length, end: content.length }));
        thinking = false;
      } else if (part.type === 'reasoning') {
        text = undefined;
        if (!thinking) order.push({ type: 'thinking', block: blocks.length });
        thinking = true;
        reasoning += part.text;
        block += part.text;
        if (part.signature !== undefined) {
          blocks.push({ type: 'thinking', thinking: block, signature: part.signature });
          block = '';
          thinking = false;
        }
      } else if (part.type === 'redacted-reasoning') {
        text = undefined;
        order.push({ type: 'thinking', block: blocks.length });
        blocks.push({ type: 'redacted_thinking', data: part.data });
        thinking = false;
      } else if (part.type === 'finish') {
        finish = part.reason;
        stopSequence = part.stopSequence;
      }
      else if (part.type === 'usage') usage = part.usage;
      else {
        if (calls[part.index] === undefined) order.push({ type: 'tool_use', call: part.index });
        thinking = false;
        text = undefined;
        const call = (calls[part.index] ??= { id: part.id ?? '', type: 'function', function: { name: '', arguments: '' } });
        if (part.id) call.id = part.id;
        if (part.name) call.function.name = part.name;
        call.function.arguments += part.arguments;
      }
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: content || (calls.length ? null : ''), refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (blocks.length > 0) message.thinking_blocks = block === '' ? blocks : [...blocks, { type: 'thinking', thinking: block }];
  if (calls.length) {
    message.tool_calls = calls.filter(Boolean);
    // Calls indexed sparsely by the provider are numbered densely in `tool_calls`.
    if (message.tool_calls.length < calls.length) for (const entry of order) if (entry.type === 'tool_use') entry.call = message.tool_calls.indexOf(calls[entry.call]!);
  }
  setAnswerOrder(message, order);
  const completion: ChatCompletion = {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish, ...(stopSequence === undefined ? {} : { stop_reason: stopSequence }) }],
  };
  if (usage) completion.usage = usage;
  return { completion, usage };
}
