import { type ThinkingSigner, thinkingSigner } from '../core/anthropic-messages.js';
import type { FinishReason, ThinkingBlock, Usage } from '../core/chat.js';
import type { ApiError } from '../core/errors.js';
import { type AnthropicAnswerContext, anthropicStopReason, anthropicUsage, matchedStopSequence, messageId } from './anthropic-message.js';

/** One server-sent event as Anthropic frames it: its type on an `event:` line, then the data. */
export function anthropicEvent(type: string, data: string): string {
  return `event: ${type}\ndata: ${data}\n\n`;
}

/** The Anthropic error body for a gateway error; the type is chosen by the route (anthropic-error.ts). */
export type ErrorBody = (error: ApiError) => string;

/** The delta of a chunk that carries only a piece of text and no finish reason, as most chunks do: its JSON string literal. */
const PLAIN_TEXT = /"choices":\[\{"index":0,"delta":\{"content":("(?:[^"\\]|\\.)*")\}(?:,"logprobs":null)?,"finish_reason":null\}\]/;

/**
 * The hot path: most chunks are a piece of text, which is written on as the JSON literal it
 * already is, without parsing the chunk; anything else (a role, reasoning, tool calls, a finish
 * reason, usage) is parsed. Undefined when the chunk is not such a piece, or the piece is empty.
 */
export function plainTextPiece(chunk: string): string | undefined {
  if (chunk.includes('"usage":{')) return undefined;
  const literal = PLAIN_TEXT.exec(chunk)?.[1];
  return literal === undefined || literal === '""' ? undefined : literal;
}

interface OpenBlock {
  index: number;
  kind: 'text' | 'thinking' | 'redacted_thinking' | 'tool_use';
}

interface ChunkDelta {
  content?: string | null;
  reasoning_content?: string | null;
  /** Provider-signed reasoning (chat-chunks.ts): a signature ending the open thinking block, or a redacted block. */
  thinking_blocks?: ThinkingBlock[];
  tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
}

/**
 * Turns a stream of OpenAI `chat.completion.chunk` JSON texts into Anthropic's events, in its
 * order: `message_start`, then per block `content_block_start` (the first followed by `ping`),
 * its deltas and `content_block_stop`, and at the end `message_delta` (stop reason and usage)
 * and `message_stop`. A block is closed when the next kind of content begins. Reasoning is written
 * as thinking blocks only when the client turned thinking on, each closed by its signature.
 */
export class AnthropicStreamEncoder {
  private started = false;
  private pinged = false;
  private open: OpenBlock | undefined;
  private next = 0;
  private finish: FinishReason | null = null;
  private stopSequence: string | undefined;
  /** Tool call index in the chunks → its block, so later argument deltas find it. */
  private readonly tools = new Map<number, OpenBlock>();
  /** The open thinking block's signer. */
  private signer: ThinkingSigner | undefined;

  constructor(
    private readonly ctx: AnthropicAnswerContext,
    private readonly errorBody: ErrorBody,
  ) {}

  batch(chunks: readonly string[]): string {
    let out = this.start();
    for (const text of chunks) {
      const piece = plainTextPiece(text);
      if (piece !== undefined) {
        out += this.blockFor('text') + this.rawTextDelta(piece);
        continue;
      }
      const chunk = JSON.parse(text) as { choices?: Array<{ delta?: ChunkDelta; finish_reason?: FinishReason | null; stop_reason?: unknown; matched_stop?: unknown }> };
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta;
      if (delta) {
        if (this.ctx.thinking && typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
          out += this.blockFor('thinking') + this.textDelta('thinking', delta.reasoning_content);
          this.signer!.update(delta.reasoning_content);
        }
        // Written by chat-chunks.ts, or by an OpenAI-compatible upstream (LiteLLM writes them too): checked, not trusted.
        if (this.ctx.thinking && Array.isArray(delta.thinking_blocks)) for (const block of delta.thinking_blocks) if (typeof block === 'object' && block !== null) out += this.thinkingBlock(block);
        if (typeof delta.content === 'string' && delta.content !== '') {
          out += this.blockFor('text') + this.textDelta('text', delta.content);
        }
        for (const call of delta.tool_calls ?? []) out += this.toolDelta(call);
      }
      if (choice.finish_reason) {
        this.finish = choice.finish_reason;
        this.stopSequence = matchedStopSequence(choice, this.ctx.stopSequences);
      }
    }
    return out;
  }

  end(usage: Usage): string {
    const counts = anthropicUsage(usage);
    return (
      this.start() +
      this.close() +
      anthropicEvent('message_delta', JSON.stringify({ type: 'message_delta', delta: { stop_reason: anthropicStopReason(this.finish, this.stopSequence), stop_sequence: this.stopSequence ?? null }, usage: counts })) +
      anthropicEvent('message_stop', '{"type":"message_stop"}')
    );
  }

  fail(error: ApiError): string {
    return anthropicEvent('error', this.errorBody(error));
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = { id: messageId(this.ctx.id), type: 'message', role: 'assistant', model: this.ctx.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined) };
    return anthropicEvent('message_start', JSON.stringify({ type: 'message_start', message }));
  }

  private begin(kind: OpenBlock['kind'], contentBlock: Record<string, unknown>): string {
    const out = this.close();
    this.open = { index: this.next++, kind };
    let events = out + anthropicEvent('content_block_start', JSON.stringify({ type: 'content_block_start', index: this.open.index, content_block: contentBlock }));
    if (!this.pinged) {
      this.pinged = true;
      events += anthropicEvent('ping', '{"type":"ping"}');
    }
    return events;
  }

  private blockFor(kind: 'text' | 'thinking'): string {
    if (this.open?.kind === kind) return '';
    if (kind === 'text') return this.begin(kind, { type: 'text', text: '' });
    const out = this.begin(kind, { type: 'thinking', thinking: '', signature: '' });
    this.signer = thinkingSigner();
    return out;
  }

  /** The provider's own thinking block end (its signature, not the gateway's) or a redacted block, passed on as Anthropic sent it. */
  private thinkingBlock(block: ThinkingBlock): string {
    if (block.type === 'redacted_thinking') {
      if (typeof block.data !== 'string') return '';
      return this.begin('redacted_thinking', { type: 'redacted_thinking', data: block.data }) + this.close();
    }
    if (typeof block.signature !== 'string' || block.signature === '') return '';
    const out = this.blockFor('thinking') + this.delta({ type: 'signature_delta', signature: block.signature });
    this.signer = undefined;
    const index = this.open!.index;
    this.open = undefined;
    return out + anthropicEvent('content_block_stop', `{"type":"content_block_stop","index":${index}}`);
  }

  /** Closes the open block; a thinking block gets its signature first, as Anthropic sends it. */
  private close(): string {
    if (!this.open) return '';
    const index = this.open.index;
    let out = '';
    if (this.open.kind === 'thinking') out = this.delta({ type: 'signature_delta', signature: this.signer!.signature() });
    this.open = undefined;
    return out + anthropicEvent('content_block_stop', `{"type":"content_block_stop","index":${index}}`);
  }

  /** The hot path, one per streamed piece: the event written around the piece's JSON string, no object built. */
  private textDelta(kind: 'text' | 'thinking', text: string): string {
    return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${this.open!.index},"delta":{"type":"${kind}_delta","${kind}":${JSON.stringify(text)}}}\n\n`;
  }

  /** A text delta whose JSON string literal is taken as the chunk wrote it. */
  private rawTextDelta(literal: string): string {
    return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${this.open!.index},"delta":{"type":"text_delta","text":${literal}}}\n\n`;
  }

  private delta(delta: Record<string, unknown>): string {
    return anthropicEvent('content_block_delta', JSON.stringify({ type: 'content_block_delta', index: this.open!.index, delta }));
  }

  private toolDelta(call: NonNullable<ChunkDelta['tool_calls']>[number]): string {
    const at = call.index ?? 0;
    let out = '';
    let block = this.tools.get(at);
    if (!block) {
      out += this.begin('tool_use', { type: 'tool_use', id: call.id ?? `toolu_${this.ctx.id}_${at}`, name: call.function?.name ?? '', input: {} });
      block = this.open!;
      this.tools.set(at, block);
    }
    const args = call.function?.arguments;
    // Arguments of a call whose block was closed by another block cannot be sent any more; providers send each call's arguments together.
    if (typeof args === 'string' && args !== '' && this.open === block) out += this.delta({ type: 'input_json_delta', partial_json: args });
    return out;
  }
}
