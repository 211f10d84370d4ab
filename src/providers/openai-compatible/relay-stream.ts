import type { EventSourceMessage } from 'eventsource-parser';
import type { Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import type { ChatStream } from '../types.js';
import { sseEvents } from '../shared/sse-events.js';
import { mapOpenAIError } from './map-openai-error.js';

const MODEL_FIELD = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/;
/** The same, searched from a position (after the id). */
const MODEL_FIELD_FROM = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/g;
/** How OpenAI and nearly every compatible upstream begin a chunk; anything else takes the slow path. */
const ID_OPENING = '{"id":"';
const ID_AT_START = /^\{\s*"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const FINISHED = /"finish_reason"\s*:\s*"/;

export interface RelayOptions {
  provider: string;
  publicModel: string;
  /** The request's id: every chunk's `id`, whatever the upstream called it. */
  id: string;
  /** The client asked for `stream_options.include_usage`; otherwise the usage-only chunk is dropped. */
  clientWantsUsage: boolean;
}

/**
 * Relays an OpenAI-compatible SSE body with as little work per chunk as possible: each event's
 * JSON text is passed on as is, except that the id becomes the request's (the upstream's is kept
 * for the usage row), the model name is rewritten to the public id and the
 * usage-only chunk (which we always request) is parsed for the ledger and dropped unless the
 * client asked for it. Content is never parsed on the hot path; the texts are kept so a stream
 * whose upstream sent no usage can be counted with a tokenizer at the end.
 */
export function relayOpenAIStream(body: AsyncIterable<Uint8Array>, options: RelayOptions): ChatStream {
  const modelField = `"model":${JSON.stringify(options.publicModel)}`;
  const idOpening = `{"id":${JSON.stringify(options.id)}`;
  const seen: string[] = [];
  let usage: Usage | undefined;
  let upstreamId: string | undefined;

  /**
   * The chunk under our id and the public model. Where the id comes first, unescaped (the upstreams
   * we know), both are spliced in one pass; else the model is replaced and the id found or parsed.
   */
  const rewrite = (data: string): string => {
    if (data.startsWith(ID_OPENING)) {
      const end = data.indexOf('"', ID_OPENING.length);
      if (end > 0 && data.charCodeAt(end - 1) !== 92) {
        upstreamId ??= data.slice(ID_OPENING.length, end);
        MODEL_FIELD_FROM.lastIndex = end;
        const model = MODEL_FIELD_FROM.exec(data);
        if (!model) return idOpening + data.slice(end + 1);
        return idOpening + data.slice(end + 1, model.index) + modelField + data.slice(MODEL_FIELD_FROM.lastIndex);
      }
    }
    return withOurId(data.replace(MODEL_FIELD, modelField));
  };

  /** An id not first, spaced or escaped, or missing: found at the start by a pattern, else by a parse. */
  const withOurId = (data: string): string => {
    const head = ID_AT_START.exec(data);
    if (head) {
      upstreamId ??= jsonString(head[1]);
      return idOpening + data.slice(head[0].length);
    }
    const parsed = safeParse(data);
    if (!parsed) return data;
    if (typeof parsed.id === 'string') upstreamId ??= parsed.id;
    return JSON.stringify({ ...parsed, id: options.id });
  };

  async function* events(): AsyncGenerator<string[]> {
    let batch: string[] = [];
    let done = false;
    let finished = false;
    let failure: UpstreamError | undefined;

    const onEvent = (event: EventSourceMessage): void => {
      const data = event.data;
      if (done || failure) return;
      if (data === '[DONE]') {
        done = true;
        return;
      }
      if (data.startsWith('{"error"') || event.event === 'error') {
        failure = upstreamStreamError(options.provider, data);
        return;
      }
      let out = rewrite(data);
      if (USAGE_OBJECT.test(data)) {
        const parsed = safeParse(out);
        if (parsed?.usage) usage = parsed.usage as Usage;
        const hasChoices = Array.isArray(parsed?.choices) && (parsed.choices as unknown[]).length > 0;
        if (!hasChoices && !options.clientWantsUsage) return;
        if (parsed && !hasChoices) out = JSON.stringify(parsed);
      }
      if (!finished && FINISHED.test(data)) finished = true;
      seen.push(out);
      batch.push(out);
    };
    for await (const events of sseEvents(body, options.provider)) {
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
    if (!done && !finished) {
      throw new UpstreamError('upstream_error', `provider ${options.provider} ended the stream before finishing`, { provider: options.provider });
    }
  }

  return {
    [Symbol.asyncIterator]: events,
    usage: () => usage,
    upstreamId: () => upstreamId,
    completionText: () => collectText(seen),
  };
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The value of a JSON string's text between its quotes. */
function jsonString(escaped: string): string {
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return escaped;
  }
}

function upstreamStreamError(provider: string, data: string): UpstreamError {
  const parsed = safeParse(data) as { error?: { code?: unknown; type?: unknown } } | undefined;
  const status = typeof parsed?.error?.code === 'number' ? parsed.error.code : 500;
  return mapOpenAIError(provider, status >= 400 ? status : 500, data);
}

/** The generated text of relayed chunks, for counting tokens when the upstream sent no usage. */
function collectText(chunks: readonly string[]): string {
  let text = '';
  for (const chunk of chunks) {
    const parsed = safeParse(chunk) as { choices?: Array<{ delta?: Record<string, unknown> }> } | undefined;
    for (const choice of parsed?.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') text += delta.content;
      if (typeof delta.reasoning_content === 'string') text += delta.reasoning_content;
      for (const call of (delta.tool_calls as Array<{ function?: { name?: string; arguments?: string } }> | undefined) ?? []) {
        text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      }
    }
  }
  return text;
}
