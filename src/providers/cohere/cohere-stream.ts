import type { EventSourceMessage } from 'eventsource-parser';
import type { StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { sseEvents } from '../shared/sse-events.js';
import type { CohereStreamEvent } from './cohere-api.js';
import { convertCohereUsage } from './convert-cohere-usage.js';
import { mapCohereFinishReason } from './map-cohere-finish-reason.js';

/**
 * Reads Cohere's v2 chat event stream (`event: <type>` / `data: {...}`) as typed stream parts,
 * one batch per upstream read: text and thinking deltas, the `tool_plan` as reasoning, tool
 * calls (id and name from `tool-call-start`, argument deltas after it, `{}` for a call without
 * arguments) numbered in the order they start, and from `message-end` the finish reason and
 * usage. A `message-end` carrying an `error` is Cohere's mid-stream failure and is thrown, as is
 * a stream that ends without `message-end`.
 * Citation, debug and unknown events carry nothing for an OpenAI client and are skipped.
 */
export async function* readCohereStream(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<StreamPart[]> {
  let batch: StreamPart[] = [];
  let failure: UpstreamError | undefined;
  let ended = false;
  const toolIndex = new Map<number, number>();
  const withArguments = new Set<number>();
  const fail = (message: string, upstreamBody?: string): void => {
    failure ??= new UpstreamError('upstream_error', `provider ${provider} ${message}`, { provider, upstreamBody });
  };
  const push = (part: StreamPart): void => {
    const last = batch.at(-1);
    if ((part.type === 'text' || part.type === 'reasoning') && last?.type === part.type) last.text += part.text;
    else batch.push(part);
  };

  const onEvent = ({ data, event: name }: EventSourceMessage): void => {
    // Whatever follows `message-end` (such as a `[DONE]` line) is not part of the answer.
    if (ended || failure) return;
    let event: CohereStreamEvent;
    try {
      event = JSON.parse(data) as CohereStreamEvent;
    } catch {
      return fail('sent a stream event that is not JSON', data);
    }
    const message = event.delta?.message;
    switch (event.type ?? name) {
      case 'content-start':
      case 'content-delta':
        if (message?.content?.text) push({ type: 'text', text: message.content.text });
        if (message?.content?.thinking) push({ type: 'reasoning', text: message.content.thinking });
        break;
      case 'tool-plan-delta':
        if (message?.tool_plan) push({ type: 'reasoning', text: message.tool_plan });
        break;
      case 'tool-call-start': {
        const index = toolIndex.size;
        toolIndex.set(event.index ?? index, index);
        const call = message?.tool_calls;
        const args = call?.function?.arguments ?? '';
        if (args) withArguments.add(index);
        push({ type: 'tool-call', index, id: call?.id, name: call?.function?.name, arguments: args });
        break;
      }
      case 'tool-call-delta': {
        const index = toolIndex.get(event.index ?? toolIndex.size - 1);
        if (index === undefined) return fail('sent a tool call delta before its tool-call-start', data);
        const args = message?.tool_calls?.function?.arguments;
        if (args) {
          withArguments.add(index);
          push({ type: 'tool-call', index, arguments: args });
        }
        break;
      }
      case 'tool-call-end': {
        // A call of a function without parameters has no argument deltas; clients parse the arguments as JSON.
        const index = toolIndex.get(event.index ?? toolIndex.size - 1);
        if (index !== undefined && !withArguments.has(index)) push({ type: 'tool-call', index, arguments: '{}' });
        break;
      }
      case 'message-end': {
        const delta = event.delta ?? {};
        if (delta.error) return fail(`failed mid-stream: ${delta.error}`, data);
        ended = true;
        push({ type: 'finish', reason: mapCohereFinishReason(delta.finish_reason) });
        const usage = convertCohereUsage(delta.usage);
        if (usage) push({ type: 'usage', usage });
        break;
      }
    }
  };
  const take = (): StreamPart[] => {
    const out = batch;
    batch = [];
    return out;
  };

  for await (const events of sseEvents(body, provider)) {
    for (const event of events) onEvent(event);
    if (batch.length > 0) yield take();
    if (failure) throw failure;
  }
  if (batch.length > 0) yield take();
  if (failure) throw failure;
  if (!ended) throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before message-end`, { provider });
}
