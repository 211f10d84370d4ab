import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { jsonStringValue } from '../shared/json-string.js';
import { type StreamEventReader, readEventStream } from '../shared/stream-loop.js';
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

/** How Anthropic writes a text or thinking delta, read without parsing the event (see `quickDelta`). */
const DELTA_HEAD = '{"type":"content_block_delta","index":';
const TEXT_DELTA = ',"delta":{"type":"text_delta","text":"';
const THINKING_DELTA = ',"delta":{"type":"thinking_delta","thinking":"';
const DELTA_TAIL = '"}}';

/**
 * Anthropic's SSE events as typed stream parts, one batch per upstream read: text and thinking
 * deltas as they come; each client tool call's id and name once, then its `input_json_delta`
 * fragments as argument deltas under an OpenAI index that counts tool calls only; at
 * `message_stop` the finish reason and the usage of `message_start` updated by `message_delta`
 * (whose counts are cumulative). An `error` event, a malformed event, a broken connection, or a
 * stream that ends before `message_stop` throws an UpstreamError after the parts before it.
 */
export function readAnthropicStream(body: AsyncIterable<Uint8Array>, options: AnthropicStreamOptions): AsyncGenerator<StreamPart[]> {
  return readEventStream(body, options.provider, new AnthropicStreamReader(options));
}

class AnthropicStreamReader implements StreamEventReader<StreamPart> {
  private readonly provider: string;
  private readonly jsonResponse: boolean;
  private readonly blocks = new Map<number, OpenBlock>();
  private toolCount = 0;
  private usage: AnthropicUsage | undefined;
  private stopReason: string | null | undefined;
  private stopSequence: string | null | undefined;
  private finished = false;

  constructor(options: AnthropicStreamOptions) {
    this.provider = options.provider;
    this.jsonResponse = options.jsonResponse;
  }

  event(data: string, name: string | undefined, out: StreamPart[]): void {
    if (this.finished) return;
    if (data.startsWith(DELTA_HEAD) && this.quickDelta(data, out)) return;
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(data) as AnthropicStreamEvent;
    } catch (cause) {
      throw this.malformed(name, data, cause);
    }
    try {
      this.handle(event, data, out);
    } catch (cause) {
      if (cause instanceof UpstreamError) throw cause;
      throw this.malformed(name, data, cause);
    }
  }

  end(): void {
    if (!this.finished) throw new UpstreamError('upstream_error', `provider ${this.provider} ended the stream before message_stop`, { provider: this.provider });
  }

  /**
   * A text or thinking delta exactly as Anthropic writes it, read by position: the string's text is
   * the part's text when it has no escapes. Most events of a stream are these; false leaves any
   * other spelling to the general path.
   */
  private quickDelta(data: string, out: StreamPart[]): boolean {
    let at = DELTA_HEAD.length;
    while (at < data.length && data.charCodeAt(at) >= 48 && data.charCodeAt(at) <= 57) at++;
    const type = data.startsWith(TEXT_DELTA, at) ? 'text' : data.startsWith(THINKING_DELTA, at) ? 'reasoning' : undefined;
    if (type === undefined || at === DELTA_HEAD.length || !data.endsWith(DELTA_TAIL)) return false;
    const start = at + (type === 'text' ? TEXT_DELTA.length : THINKING_DELTA.length);
    const end = data.length - DELTA_TAIL.length;
    if (end < start) return false;
    const text = jsonStringValue(data, start, end);
    if (text === undefined) return false;
    if (text) out.push({ type, text });
    return true;
  }

  private handle(event: AnthropicStreamEvent, data: string, out: StreamPart[]): void {
    switch (event.type) {
      case 'message_start':
        this.usage = mergeUsage(this.usage, event.message?.usage);
        break;
      case 'content_block_start':
        this.startBlock(event.index, event.content_block, out);
        break;
      case 'content_block_delta': {
        const open = this.blocks.get(event.index);
        const delta = event.delta;
        if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) out.push({ type: 'text', text: delta.text });
        else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking) out.push({ type: 'reasoning', text: delta.thinking });
        // A signature ends its thinking block: a reasoning part of no text that carries it.
        else if (delta.type === 'signature_delta' && typeof delta.signature === 'string' && delta.signature) out.push({ type: 'reasoning', text: '', signature: delta.signature });
        else if (delta.type === 'input_json_delta' && (open?.kind === 'tool' || open?.kind === 'json')) inputText(open, String(delta.partial_json ?? ''), out);
        break;
      }
      case 'content_block_stop': {
        const open = this.blocks.get(event.index);
        if ((open?.kind === 'tool' || open?.kind === 'json') && !open.hasInputDelta) inputText(open, JSON.stringify(open.startInput ?? {}), out);
        break;
      }
      case 'message_delta':
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.stopSequence = event.delta?.stop_sequence ?? this.stopSequence;
        this.usage = mergeUsage(this.usage, event.usage);
        break;
      case 'message_stop':
        this.finished = true;
        out.push({ type: 'finish', reason: mapAnthropicFinishReason(this.stopReason, this.toolCount > 0), ...(typeof this.stopSequence === 'string' ? { stopSequence: this.stopSequence } : {}) });
        if (this.usage) out.push({ type: 'usage', usage: convertAnthropicUsage(this.usage) });
        break;
      case 'error':
        throw mapAnthropicStreamError(this.provider, data);
      default:
        // ping, and event types newer than this adapter.
        break;
    }
  }

  private startBlock(index: number, block: AnthropicContentBlock, out: StreamPart[]): void {
    const open: OpenBlock = { kind: 'other', toolIndex: -1, startInput: undefined, hasInputDelta: false };
    if (block.type === 'text') {
      open.kind = 'text';
      if (typeof block.text === 'string' && block.text) out.push({ type: 'text', text: block.text });
    } else if (block.type === 'thinking') {
      open.kind = 'reasoning';
      if (typeof block.thinking === 'string' && block.thinking) out.push({ type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking') {
      if (typeof block.data === 'string') out.push({ type: 'redacted-reasoning', data: block.data });
    } else if (block.type === 'tool_use') {
      open.startInput = block.input;
      if (this.jsonResponse && block.name === JSON_RESPONSE_TOOL) {
        open.kind = 'json';
      } else {
        open.kind = 'tool';
        open.toolIndex = this.toolCount++;
        out.push({ type: 'tool-call', index: open.toolIndex, id: String(block.id), name: String(block.name), arguments: '' });
      }
    }
    this.blocks.set(index, open);
  }

  private malformed(name: string | undefined, data: string, cause: unknown): UpstreamError {
    return new UpstreamError('upstream_error', `provider ${this.provider} sent a malformed ${name ?? 'stream'} event`, { provider: this.provider, upstreamBody: data, cause });
  }
}

function inputText(open: OpenBlock, text: string, out: StreamPart[]): void {
  if (!text) return;
  open.hasInputDelta = true;
  out.push(open.kind === 'json' ? { type: 'text', text } : { type: 'tool-call', index: open.toolIndex, arguments: text });
}
