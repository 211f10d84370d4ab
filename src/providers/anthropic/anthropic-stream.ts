import type { EventSourceMessage } from 'eventsource-parser';
import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { sseEvents } from '../shared/sse-events.js';
import type { AnthropicContentBlock, AnthropicStreamEvent, AnthropicUsage } from './anthropic-api.js';
import { mapAnthropicStreamError } from './anthropic-error.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';
import { JSON_RESPONSE_TOOL } from './prepare-anthropic-tools.js';

export interface AnthropicStreamOptions {
  provider: string;
  /** The JSON response tool's input is the answer's text (see prepare-anthropic-tools.ts). */
  jsonResponse: boolean;
}

interface OpenBlock {
  kind: 'text' | 'reasoning' | 'tool' | 'json' | 'other';
  /** The OpenAI tool-call index, counting only the client's tool calls. */
  toolIndex: number;
  /** The input of the block's start, sent whole when no input_json_delta follows. */
  startInput: unknown;
  hasInputDelta: boolean;
}

/** Only defined numbers, so a later event's nulls do not erase earlier counts. */
function mergeUsage(into: AnthropicUsage | undefined, from: AnthropicUsage | undefined): AnthropicUsage | undefined {
  if (!from) return into;
  const merged: AnthropicUsage = { ...into };
  for (const [key, value] of Object.entries(from)) if (typeof value === 'number') merged[key] = value;
  return merged;
}

/**
 * Anthropic's SSE events as typed stream parts, one batch per upstream read: text and thinking
 * deltas as they come; each client tool call's id and name once, then its `input_json_delta`
 * fragments as argument deltas under an OpenAI index that counts tool calls only; at
 * `message_stop` the finish reason and the usage of `message_start` updated by `message_delta`
 * (whose counts are cumulative). An `error` event, a malformed event, a broken connection, or a
 * stream that ends before `message_stop` throws an UpstreamError after the parts before it.
 */
export async function* anthropicStreamParts(body: AsyncIterable<Uint8Array>, options: AnthropicStreamOptions): AsyncGenerator<StreamPart[]> {
  const { provider, jsonResponse } = options;
  const blocks = new Map<number, OpenBlock>();
  let toolCount = 0;
  let usage: AnthropicUsage | undefined;
  let stopReason: string | null | undefined;
  let stopSequence: string | null | undefined;
  let finished = false;
  let failure: UpstreamError | undefined;
  let batch: StreamPart[] = [];

  const startBlock = (index: number, block: AnthropicContentBlock): void => {
    const open: OpenBlock = { kind: 'other', toolIndex: -1, startInput: undefined, hasInputDelta: false };
    if (block.type === 'text') {
      open.kind = 'text';
      if (typeof block.text === 'string' && block.text) batch.push({ type: 'text', text: block.text });
    } else if (block.type === 'thinking') {
      open.kind = 'reasoning';
      if (typeof block.thinking === 'string' && block.thinking) batch.push({ type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking') {
      if (typeof block.data === 'string') batch.push({ type: 'redacted-reasoning', data: block.data });
    } else if (block.type === 'tool_use') {
      open.startInput = block.input;
      if (jsonResponse && block.name === JSON_RESPONSE_TOOL) {
        open.kind = 'json';
      } else {
        open.kind = 'tool';
        open.toolIndex = toolCount++;
        batch.push({ type: 'tool-call', index: open.toolIndex, id: String(block.id), name: String(block.name), arguments: '' });
      }
    }
    blocks.set(index, open);
  };

  const inputText = (open: OpenBlock, text: string): void => {
    if (!text) return;
    open.hasInputDelta = true;
    batch.push(open.kind === 'json' ? { type: 'text', text } : { type: 'tool-call', index: open.toolIndex, arguments: text });
  };

  const handle = (event: AnthropicStreamEvent, data: string): void => {
    switch (event.type) {
      case 'message_start':
        usage = mergeUsage(usage, event.message?.usage);
        break;
      case 'content_block_start':
        startBlock(event.index, event.content_block);
        break;
      case 'content_block_delta': {
        const open = blocks.get(event.index);
        const delta = event.delta;
        if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) batch.push({ type: 'text', text: delta.text });
        else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking) batch.push({ type: 'reasoning', text: delta.thinking });
        else if (delta.type === 'signature_delta' && typeof delta.signature === 'string' && delta.signature) batch.push({ type: 'reasoning', text: '', signature: delta.signature });
        else if (delta.type === 'input_json_delta' && (open?.kind === 'tool' || open?.kind === 'json')) inputText(open, String(delta.partial_json ?? ''));
        break;
      }
      case 'content_block_stop': {
        const open = blocks.get(event.index);
        if ((open?.kind === 'tool' || open?.kind === 'json') && !open.hasInputDelta) inputText(open, JSON.stringify(open.startInput ?? {}));
        break;
      }
      case 'message_delta':
        stopReason = event.delta?.stop_reason ?? stopReason;
        stopSequence = event.delta?.stop_sequence ?? stopSequence;
        usage = mergeUsage(usage, event.usage);
        break;
      case 'message_stop':
        finished = true;
        batch.push({ type: 'finish', reason: mapAnthropicFinishReason(stopReason, toolCount > 0), ...(typeof stopSequence === 'string' ? { stopSequence } : {}) });
        if (usage) batch.push({ type: 'usage', usage: convertAnthropicUsage(usage) });
        break;
      case 'error':
        failure = mapAnthropicStreamError(provider, data);
        break;
      default:
        // ping, and event types newer than this adapter.
        break;
    }
  };

  const onEvent = (message: EventSourceMessage): void => {
    if (finished || failure) return;
    try {
      handle(JSON.parse(message.data) as AnthropicStreamEvent, message.data);
    } catch (cause) {
      failure = new UpstreamError('upstream_error', `provider ${provider} sent a malformed ${message.event ?? 'stream'} event`, { provider, upstreamBody: message.data, cause });
    }
  };

  for await (const events of sseEvents(body, provider)) {
    for (const event of events) onEvent(event);
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
    if (failure) throw failure;
  }
  if (batch.length > 0) yield batch;
  if (failure) throw failure;
  if (!finished) throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before message_stop`, { provider });
}
