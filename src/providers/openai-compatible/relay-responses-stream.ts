import type { Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { RESPONSES_EVENTS, type RelayedResponseEvents, type ResponsesOrigin, type WithResponsesEvents } from '../../core/responses-origin.js';
import { readEventStream } from '../shared/stream-loop.js';
import type { ChatCall, ChatStream } from '../types.js';
import { mapOpenAIError } from './map-openai-error.js';
import { countBuiltinToolCalls } from './count-builtin-tool-calls.js';
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
  const failure = mapOpenAIError({ provider, status: 500, body: JSON.stringify({ error: { message, code: error?.code ?? null } }) });
  return raw.length > 0 ? new UpstreamError(failure.code, failure.message, { provider, upstreamStatus: 200, upstreamBody: raw }) : failure;
}

export interface ResponsesStreamRelay {
  /** The upstream's SSE body. */
  body: AsyncIterable<Uint8Array>;
  call: Pick<ChatCall, 'id' | 'publicModel'>;
  origin: ResponsesOrigin;
  provider: string;
}

/**
 * Relays an OpenAI Responses SSE body as it came: each event's bytes are written as they are, but
 * for the few that carry the whole Response (created, in progress, the final one), whose `id` and
 * `model` become the gateway's. The final Response gives the usage row its usage. An upstream
 * `error` event or `response.failed` is relayed, then fails the stream (nothing more is written);
 * a stream that ends without a final event fails so the client gets an `error` event.
 */
export function relayResponsesStream({ body, call, origin, provider }: ResponsesStreamRelay): ChatStream & WithResponsesEvents {
  let final: ResponseJson | undefined;
  let upstreamId: string | undefined;
  let relayed = 0;
  let ended = false;
  const texts: string[] = [];
  const started: unknown[] = [];

  // Each event's bytes as they are, or rewritten; a failure is thrown after its own event is written.
  const reader = {
    event(data: string, name: string | undefined, out: string[]): void {
      if (ended) return;
      relayed++;
      if (name === 'error') {
        ended = true;
        out.push(`event: error\ndata: ${data}\n\n`);
        throw failureOf(provider, safeParse(data), data);
      }
      if (name !== undefined && RESPONSE_EVENTS.has(name)) {
        const parsed = safeParse(data);
        const response = parsed?.response as ResponseJson | undefined;
        if (!parsed || typeof response !== 'object' || response === null) {
          throw new UpstreamError('upstream_error', `provider ${provider} sent a ${name} event without a response`, { provider, upstreamBody: data });
        }
        const theirs = adoptResponse(response, call, origin.own);
        upstreamId ??= theirs;
        out.push(`event: ${name}\ndata: ${JSON.stringify(parsed)}\n\n`);
        if (FINAL_EVENTS.has(name)) {
          final = response;
          ended = true;
          if (name === 'response.failed') throw failureOf(provider, parsed, data);
        }
        return;
      }
      if (name === 'response.output_text.delta') texts.push(data);
      // A built-in tool call is counted when it starts: it is billed even if the stream ends before the final Response.
      else if (name === 'response.output_item.added' && data.includes('_call"')) started.push(safeParse(data)?.item);
      out.push(name === undefined ? `data: ${data}\n\n` : `event: ${name}\ndata: ${data}\n\n`);
    },
    end(): void {
      if (!ended) throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before finishing`, { provider });
    },
  };
  const events = (): AsyncGenerator<string[]> => readEventStream(body, provider, reader);

  const state: RelayedResponseEvents = { finalResponse: () => final, relayed: () => relayed, ended: () => ended };
  return {
    [Symbol.asyncIterator]: events,
    [RESPONSES_EVENTS]: state,
    usage: (): Usage | undefined => responsesUsage(final?.usage, final?.output),
    upstreamId: () => upstreamId,
    builtinToolCalls: () => countBuiltinToolCalls(final?.output ?? started),
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
