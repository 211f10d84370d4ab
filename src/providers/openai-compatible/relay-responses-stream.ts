import type { EventSourceMessage } from 'eventsource-parser';
import type { Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { RESPONSES_EVENTS, type RelayedResponseEvents, type ResponsesOrigin, type WithResponsesEvents } from '../../core/responses-origin.js';
import { sseEvents } from '../shared/sse-events.js';
import type { ChatCall, ChatStream } from '../types.js';
import { mapOpenAIError } from './map-openai-error.js';
import { adoptResponse, responsesUsage } from './responses-passthrough.js';

type ResponseJson = Record<string, unknown> & { id: string; output: Array<Record<string, unknown>> };

/** The events that carry the whole Response (its id and model are rewritten); the last three end a stream. */
const RESPONSE_EVENTS: ReadonlySet<string> = new Set(['response.created', 'response.queued', 'response.in_progress', 'response.completed', 'response.incomplete', 'response.failed']);
const FINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The message of a Response's `error`, or of an `error` event. */
function failureOf(provider: string, data: Record<string, unknown> | undefined, raw: string): UpstreamError {
  const error = (data?.response as { error?: { message?: unknown; code?: unknown } } | undefined)?.error ?? data;
  const message = typeof error?.message === 'string' ? error.message : 'the upstream failed the response';
  const failure = mapOpenAIError(provider, 500, JSON.stringify({ error: { message, code: error?.code ?? null } }));
  return raw.length > 0 ? new UpstreamError(failure.code, failure.message, { provider, upstreamStatus: 200, upstreamBody: raw }) : failure;
}

/**
 * Relays an OpenAI Responses SSE body as it came: each event's bytes are written as they are, but
 * for the few that carry the whole Response (created, in progress, the final one), whose `id` and
 * `model` become the gateway's. The final Response gives the usage row its usage. An upstream
 * `error` event or `response.failed` is relayed, then fails the stream (nothing more is written);
 * a stream that ends without a final event fails so the client gets an `error` event.
 */
export function relayResponsesStream(body: AsyncIterable<Uint8Array>, call: Pick<ChatCall, 'id' | 'publicModel'>, origin: ResponsesOrigin, provider: string): ChatStream & WithResponsesEvents {
  let final: ResponseJson | undefined;
  let upstreamId: string | undefined;
  let relayed = 0;
  let ended = false;
  const texts: string[] = [];

  async function* events(): AsyncGenerator<string[]> {
    let failure: UpstreamError | undefined;
    const frame = (event: EventSourceMessage): string | undefined => {
      const name = event.event;
      if (ended) return undefined;
      relayed++;
      if (name === 'error') {
        ended = true;
        failure = failureOf(provider, safeParse(event.data), event.data);
        return `event: error\ndata: ${event.data}\n\n`;
      }
      if (name !== undefined && RESPONSE_EVENTS.has(name)) {
        const data = safeParse(event.data);
        const response = data?.response as ResponseJson | undefined;
        if (!data || typeof response !== 'object' || response === null) {
          throw new UpstreamError('upstream_error', `provider ${provider} sent a ${name} event without a response`, { provider, upstreamBody: event.data });
        }
        const theirs = adoptResponse(response, call, origin.own);
        upstreamId ??= theirs;
        if (FINAL_EVENTS.has(name)) {
          final = response;
          ended = true;
          if (name === 'response.failed') failure = failureOf(provider, data, event.data);
        }
        return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
      }
      if (name === 'response.output_text.delta') texts.push(event.data);
      return name === undefined ? `data: ${event.data}\n\n` : `event: ${name}\ndata: ${event.data}\n\n`;
    };
    for await (const batch of sseEvents(body, provider)) {
      const out: string[] = [];
      for (const event of batch) {
        const bytes = frame(event);
        if (bytes !== undefined) out.push(bytes);
      }
      if (out.length > 0) yield out;
      if (failure) throw failure;
      if (ended) return;
    }
    if (!ended) throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before finishing`, { provider });
  }

  const state: RelayedResponseEvents = { finalResponse: () => final, relayed: () => relayed, ended: () => ended };
  return {
    [Symbol.asyncIterator]: events,
    [RESPONSES_EVENTS]: state,
    usage: (): Usage | undefined => responsesUsage(final?.usage),
    upstreamId: () => upstreamId,
    completionText: () => collectText(texts),
  };
}

/** The text of the relayed `output_text.delta` events, for counting tokens when the upstream sent no usage. */
function collectText(deltas: readonly string[]): string {
  let text = '';
  for (const data of deltas) {
    const delta = safeParse(data)?.delta;
    if (typeof delta === 'string') text += delta;
  }
  return text;
}
