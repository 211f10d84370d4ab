import type { Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { plausibleUsage } from '../../core/plausible-usage.js';
import type { ChatStream } from '../types.js';
import { jsonStringEnd, jsonStringText } from '../shared/json-string.js';
import { type StreamEventReader, readEventStream } from '../shared/stream-loop.js';
import { boundFinishReasons, hasUnboundedFinishReason } from './bound-finish-reasons.js';
import { mapOpenAIError } from './map-openai-error.js';
import { chunkCreatedIsPlain } from './plain-created.js';
import { RelayedText } from './relayed-text.js';

const MODEL_FIELD = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/;
/** The same, searched from a position (after the id). */
const MODEL_FIELD_FROM = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/g;
/** How OpenAI and nearly every compatible upstream begin a chunk; anything else takes the slow path. */
const ID_OPENING = '{"id":"';
/** How they write the model: found without a pattern, and without a match object per chunk. */
const MODEL_OPENING = '"model":"';
const ID_AT_START = /^\{\s*"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const FINISHED = /"finish_reason"\s*:\s*"/;

export interface RelayOptions {
  provider: string;
  publicModel: string;
  /** The request's id: every chunk's `id`, whatever the upstream called it. */
  id: string;
  /** The request's time: the `created` of a chunk whose upstream's is no time in seconds (a string, 1e308, -5). */
  created: number;
  /** The client asked for `stream_options.include_usage`; otherwise the usage-only chunk is dropped. */
  clientWantsUsage: boolean;
}

/**
 * Relays an OpenAI-compatible SSE body with as little work per chunk as possible: each event's
 * JSON text is passed on as is, except that the id becomes the request's (the upstream's is kept
 * for the usage row), the model name is rewritten to the public id and the
 * usage-only chunk (which we always request) is parsed for the ledger and dropped unless the
 * client asked for it, and a finish reason that is no short plain word is shown as `unknown`
 * (looked for only in the chunks that carry a string one), as is a `created` that is no time in
 * seconds (the request's instead). Content is never parsed on the hot path; until usage comes, the answer's
 * text is kept (bounded: see RelayedText) so a stream whose upstream sent none can be counted.
 * Usage with impossible counts is left out of the chunks and counts as none: the text is kept, and
 * the client that asked for usage gets the usage billed at the stream's end (`usageOwed`).
 */
export function relayOpenAIStream(body: AsyncIterable<Uint8Array>, options: RelayOptions): ChatStream {
  const reader = new RelayReader(options);
  return {
    [Symbol.asyncIterator]: () => readEventStream(body, options.provider, reader),
    usage: () => reader.usage,
    usageOwed: () => reader.usageOwed,
    upstreamId: () => reader.upstreamId,
    completionText: () => reader.text.text(),
  };
}

/** A chunk that opens with `"error": null` is a chunk (some compatible upstreams send the field on every chunk). */
const NULL_ERROR = /^\{"error"\s*:\s*null\s*[,}]/;

/** The relay's reading of OpenAI's chunk events: JSON texts in, JSON texts out. */
class RelayReader implements StreamEventReader<string> {
  usage: Usage | undefined;
  usageOwed = false;
  upstreamId: string | undefined;
  readonly text = new RelayedText();
  private done = false;
  private finished = false;
  /** The text between the id and the model of the last chunk whose `created` was found plain. */
  private plainHead: string | undefined;
  /** The chunk being read has a `created` that is no time in seconds. */
  private oddCreated = false;
  private readonly options: RelayOptions;
  private readonly modelField: string;
  private readonly idOpening: string;

  constructor(options: RelayOptions) {
    this.options = options;
    this.modelField = `"model":${JSON.stringify(options.publicModel)}`;
    this.idOpening = `{"id":${JSON.stringify(options.id)}`;
  }

  event(data: string, name: string | undefined, out: string[]): void {
    if (this.done) return;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    if ((data.startsWith('{"error"') && !NULL_ERROR.test(data)) || name === 'error') throw upstreamStreamError(this.options.provider, data);
    let chunk = this.rewrite(data);
    if (this.oddCreated) chunk = this.withOurCreated(chunk);
    if (USAGE_OBJECT.test(data)) {
      const parsed = safeParse(chunk);
      const hasChoices = Array.isArray(parsed?.choices) && (parsed.choices as unknown[]).length > 0;
      if (parsed?.usage && !plausibleUsage(parsed.usage as Usage)) {
        this.usageOwed = this.options.clientWantsUsage;
        if (!hasChoices) return;
        chunk = JSON.stringify({ ...parsed, usage: undefined });
      } else {
        if (parsed?.usage) {
          this.usage = parsed.usage as Usage;
          this.text.usageArrived();
        }
        if (!hasChoices && !this.options.clientWantsUsage) return;
        if (parsed && !hasChoices) chunk = JSON.stringify(parsed);
      }
    }
    if (FINISHED.test(data)) {
      this.finished = true;
      // A finish reason of any length or characters is not passed on as it is (core/bounded-finish-reason.ts).
      if (hasUnboundedFinishReason(chunk)) chunk = withBoundedFinish(chunk);
    }
    this.text.add(chunk);
    out.push(chunk);
  }

  end(): void {
    if (!this.done && !this.finished) {
      const provider = this.options.provider;
      throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before finishing`, { provider });
    }
  }

  /**
   * The chunk under our id and the public model. Where the id comes first, unescaped (the upstreams
   * we know), both are spliced in one pass; else the model is replaced and the id found or parsed.
   */
  private rewrite(data: string): string {
    if (data.startsWith(ID_OPENING)) {
      const end = data.indexOf('"', ID_OPENING.length);
      if (end > 0 && data.charCodeAt(end - 1) !== 92) {
        this.upstreamId ??= data.slice(ID_OPENING.length, end);
        const model = data.indexOf(MODEL_OPENING, end);
        const modelEnd = model < 0 ? -1 : jsonStringEnd(data, model + MODEL_OPENING.length);
        if (modelEnd > 0) {
          // Between the id and the model: the object and `created`, the same in every chunk of most streams, so judged once.
          const head = data.slice(end + 1, model);
          if (head !== this.plainHead) this.judgeCreated(data, head);
          else this.oddCreated = false;
          return this.idOpening + head + this.modelField + data.slice(modelEnd + 1);
        }
        this.judgeCreated(data, undefined);
        MODEL_FIELD_FROM.lastIndex = end;
        const spaced = MODEL_FIELD_FROM.exec(data);
        if (!spaced) return this.idOpening + data.slice(end + 1);
        return this.idOpening + data.slice(end + 1, spaced.index) + this.modelField + data.slice(MODEL_FIELD_FROM.lastIndex);
      }
    }
    this.judgeCreated(data, undefined);
    return this.withOurId(data.replace(MODEL_FIELD, this.modelField));
  }

  /** Whether this chunk's `created` is no time in seconds; a head found plain is remembered. */
  private judgeCreated(data: string, head: string | undefined): void {
    this.oddCreated = !chunkCreatedIsPlain(data);
    if (!this.oddCreated && head !== undefined) this.plainHead = head;
  }

  /** A chunk whose `created` is no time in seconds, under the request's. */
  private withOurCreated(chunk: string): string {
    const parsed = safeParse(chunk);
    return parsed ? JSON.stringify({ ...parsed, created: this.options.created }) : chunk;
  }

  /** An id not first, spaced or escaped, or missing: found at the start by a pattern, else by a parse. */
  private withOurId(data: string): string {
    const head = ID_AT_START.exec(data);
    if (head) {
      this.upstreamId ??= jsonStringText(head[1]);
      return this.idOpening + data.slice(head[0].length);
    }
    const parsed = safeParse(data);
    if (!parsed) return data;
    if (typeof parsed.id === 'string') this.upstreamId ??= parsed.id;
    return JSON.stringify({ ...parsed, id: this.options.id });
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function withBoundedFinish(chunk: string): string {
  const parsed = safeParse(chunk);
  if (!parsed) return chunk;
  boundFinishReasons(parsed.choices);
  return JSON.stringify(parsed);
}

function upstreamStreamError(provider: string, data: string): UpstreamError {
  const parsed = safeParse(data) as { error?: { code?: unknown; type?: unknown } } | undefined;
  const status = typeof parsed?.error?.code === 'number' ? parsed.error.code : 500;
  return mapOpenAIError({ provider, status: status >= 400 ? status : 500, body: data });
}
