import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { type StreamEventReader, readEventStream } from '../shared/stream-loop.js';
import type { CohereStreamEvent } from './cohere-api.js';
import { isCohereFinishReason } from './cohere-answer-problem.js';
import { convertCohereUsage } from './convert-cohere-usage.js';
import { cohereArgumentsText, cohereErrorText } from './cohere-values.js';
import { cohereFinishPart } from './map-cohere-finish-reason.js';

export interface CohereStreamOptions {
  provider: string;
  /** The stop sequences the request sent: with one, a `STOP_SEQUENCE` finish names it. */
  stopSequences?: readonly string[];
}

/**
 * Reads Cohere's v2 chat event stream (`event: <type>` / `data: {...}`) as typed stream parts,
 * one batch per upstream read: text and thinking deltas, the `tool_plan` as reasoning, tool
 * calls (id and name from `tool-call-start`, argument deltas after it, `{}` for a call without
 * arguments) numbered in the order they start, and from `message-end` the finish reason and
 * usage. A `message-end` carrying an `error` is Cohere's mid-stream failure and is thrown, as is
 * a stream that ends without `message-end`.
 * Citation, debug and unknown events carry nothing for an OpenAI client and are skipped.
 */
export function readCohereStream(body: AsyncIterable<Uint8Array>, options: CohereStreamOptions): AsyncGenerator<StreamPart[]> {
  return readEventStream(body, options.provider, new CohereStreamReader(options.provider, options.stopSequences));
}

class CohereStreamReader implements StreamEventReader<StreamPart> {
  private readonly provider: string;
  private ended = false;
  private readonly toolIndex = new Map<number, number>();
  private readonly withArguments = new Set<number>();

  private readonly stopSequences: readonly string[] | undefined;

  constructor(provider: string, stopSequences: readonly string[] | undefined) {
    this.provider = provider;
    this.stopSequences = stopSequences;
  }

  event(data: string, name: string | undefined, out: StreamPart[]): void {
    // Whatever follows `message-end` (such as a `[DONE]` line) is not part of the answer.
    if (this.ended) return;
    let event: CohereStreamEvent;
    try {
      event = JSON.parse(data) as CohereStreamEvent;
    } catch {
      throw this.failure('sent a stream event that is not JSON', data);
    }
    if (typeof event !== 'object' || event === null) throw this.failure('sent a stream event that is not a JSON object', data);
    const message = event.delta?.message;
    const { toolIndex, withArguments } = this;
    switch (event.type ?? name) {
      case 'content-start':
      case 'content-delta':
        if (typeof message?.content?.text === 'string' && message.content.text) push(out, { type: 'text', text: message.content.text });
        if (typeof message?.content?.thinking === 'string' && message.content.thinking) push(out, { type: 'reasoning', text: message.content.thinking });
        break;
      case 'tool-plan-delta':
        if (typeof message?.tool_plan === 'string' && message.tool_plan) push(out, { type: 'reasoning', text: message.tool_plan });
        break;
      case 'tool-call-start': {
        const index = toolIndex.size;
        toolIndex.set(event.index ?? index, index);
        const call = message?.tool_calls;
        const args = cohereArgumentsText(call?.function?.arguments);
        if (args) withArguments.add(index);
        push(out, { type: 'tool-call', index, id: call?.id, name: call?.function?.name, arguments: args });
        break;
      }
      case 'tool-call-delta': {
        const index = toolIndex.get(event.index ?? toolIndex.size - 1);
        if (index === undefined) throw this.failure('sent a tool call delta before its tool-call-start', data);
        const args = cohereArgumentsText(message?.tool_calls?.function?.arguments);
        if (args) {
          withArguments.add(index);
          push(out, { type: 'tool-call', index, arguments: args });
        }
        break;
      }
      case 'tool-call-end': {
        // A call of a function without parameters has no argument deltas; clients parse the arguments as JSON.
        const index = toolIndex.get(event.index ?? toolIndex.size - 1);
        if (index !== undefined && !withArguments.has(index)) push(out, { type: 'tool-call', index, arguments: '{}' });
        break;
      }
      case 'message-end': {
        const delta = event.delta ?? {};
        if (delta.error) throw this.failure(`failed mid-stream: ${cohereErrorText(delta.error)}`, data);
        if (!isCohereFinishReason(delta.finish_reason)) throw this.failure('sent a finish reason that is not a string', data);
        this.ended = true;
        push(out, cohereFinishPart(delta.finish_reason, this.stopSequences));
        const usage = convertCohereUsage(delta.usage);
        if (usage) push(out, { type: 'usage', usage });
        break;
      }
    }
  }

  end(): void {
    if (!this.ended) throw new UpstreamError('upstream_error', `provider ${this.provider} ended the stream before message-end`, { provider: this.provider });
  }

  private failure(message: string, upstreamBody: string): UpstreamError {
    return new UpstreamError('upstream_error', `provider ${this.provider} ${message}`, { provider: this.provider, upstreamBody });
  }
}

/** Cohere sends text in small deltas: those of one read are joined into one part. */
function push(out: StreamPart[], part: StreamPart): void {
  const last = out.at(-1);
  if ((part.type === 'text' || part.type === 'reasoning') && last?.type === part.type) last.text += part.text;
  else out.push(part);
}
