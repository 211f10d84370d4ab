import type { StreamPart, Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { sseEvents } from '../shared/sse-events.js';
import { ToolCallNumbering, convertGeminiParts } from './convert-gemini-parts.js';
import { convertGeminiUsage } from './convert-gemini-usage.js';
import type { GeminiErrorBody, GenerateContentResponse } from './gemini-api.js';
import { mapGeminiError } from './gemini-error.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

export interface GeminiStreamOptions {
  provider: string;
  /** The answer's id, from which function call ids are made. */
  requestId: string;
}

/**
 * A `streamGenerateContent?alt=sse` body as typed stream parts, one batch per upstream read. Each
 * event is a whole `GenerateContentResponse` holding only new parts; function calls arrive whole.
 * Gemini sends no end marker, so the stream must have carried a `finishReason` (or a blocked
 * prompt's `promptFeedback`) before the connection closed, or it is an error. Usage is cumulative
 * in every event and the last one is kept. An error during the stream comes as an error object,
 * with or without a `data:` prefix (Google sends it bare), and is thrown after the parts before it.
 */
export async function* geminiStreamParts(body: AsyncIterable<Uint8Array>, options: GeminiStreamOptions): AsyncGenerator<StreamPart[]> {
  const { provider } = options;
  const calls = new ToolCallNumbering(options.requestId);
  let batch: StreamPart[] = [];
  let finishReason: string | undefined;
  let blocked = false;
  let usage: Usage | undefined;
  let failure: UpstreamError | undefined;
  // Lines outside any `data:` field: the bare JSON of an error Google writes into the stream.
  let stray: string[] = [];

  const onResponse = (response: GenerateContentResponse & GeminiErrorBody, text: string): void => {
    if (response.error) {
      failure = mapGeminiError(provider, typeof response.error.code === 'number' ? response.error.code : 500, text);
      return;
    }
    const candidate = response.candidates?.[0];
    if (candidate) {
      batch.push(...convertGeminiParts(candidate.content?.parts, calls));
      if (candidate.finishReason) finishReason = candidate.finishReason;
    } else if (response.promptFeedback) {
      blocked = true;
    }
    if (response.usageMetadata) usage = convertGeminiUsage(response.usageMetadata);
  };
  const parse = (text: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      failure = new UpstreamError('upstream_error', `provider ${provider} sent an event that is not JSON`, { provider, upstreamBody: text, cause });
      return;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) onResponse(parsed as GenerateContentResponse & GeminiErrorBody, text);
    else failure = new UpstreamError('upstream_error', `provider ${provider} sent an event that is not a JSON object`, { provider, upstreamBody: text });
  };
  const strayError = (final: boolean): void => {
    if (stray.length === 0 || failure) return;
    const text = stray.join('\n');
    try {
      JSON.parse(text);
    } catch {
      if (final) failure = new UpstreamError('upstream_error', `provider ${provider} sent bytes that are not an event`, { provider, upstreamBody: text });
      return;
    }
    stray = [];
    parse(text);
  };

  const events = sseEvents(body, provider, { onStray: (line) => stray.push(line) });
  for await (const batchOfEvents of events) {
    for (const event of batchOfEvents) if (!failure) parse(event.data);
    strayError(false);
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
    if (failure) throw failure;
  }
  strayError(true);
  if (failure) {
    if (batch.length > 0) yield batch;
    throw failure;
  }
  if (!finishReason && !blocked) {
    throw new UpstreamError('upstream_error', `provider ${provider} ended the stream before finishing`, { provider });
  }
  const reason = finishReason ? mapGeminiFinishReason(finishReason, calls.used > 0) : 'content_filter';
  batch.push({ type: 'finish', reason });
  if (usage) batch.push({ type: 'usage', usage });
  yield batch;
}
