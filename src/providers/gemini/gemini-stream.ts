import type { StreamPart, Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { jsonStringEnd, jsonStringValue } from '../shared/json-string.js';
import { type StreamEventReader, readEventStream } from '../shared/stream-loop.js';
import { ToolCallNumbering, convertGeminiParts } from './convert-gemini-parts.js';
import { convertGeminiUsage } from './convert-gemini-usage.js';
import type { GeminiErrorBody, GeminiUsageMetadata, GenerateContentResponse } from './gemini-api.js';
import { mapGeminiError } from './gemini-error.js';
import { geminiResponseProblem } from './gemini-response-problem.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

export interface GeminiStreamOptions {
  provider: string;
  /** The answer's id, from which function call ids are made. */
  requestId: string;
}

/** Bare lines held while they may still make up an error object (Google's are a few hundred bytes). */
const MAX_STRAY_CHARS = 64 * 1024;

/** How an event holding one text part begins: as Google spaces it, and compact (JSON.stringify). */
const TEXT_HEADS = ['{"candidates": [{"content": {"parts": [{"text": "', '{"candidates":[{"content":{"parts":[{"text":"'];
/** ...and how its candidate ends, with nothing else in it but a finish reason (no thought, no ratings). */
const TEXT_CANDIDATE_END = /"\}\],\s*"role":\s*"model"\}(?:,\s*"finishReason":\s*"[A-Z_]+")?(?:,\s*"index":\s*0)?\}\]/y;
const FINISH_REASON = '"finishReason"';

/**
 * A `streamGenerateContent?alt=sse` body as typed stream parts, one batch per upstream read. Each
 * event is a whole `GenerateContentResponse` holding only new parts; function calls arrive whole.
 * Gemini sends no end marker, so the stream must have carried a `finishReason` (or a blocked
 * prompt's `promptFeedback`) before the connection closed, or it is an error. Usage is cumulative
 * in every event and the last one is kept. An error during the stream comes as an error object,
 * with or without a `data:` prefix (Google sends it bare), and is thrown after the parts before it.
 */
export function readGeminiStream(body: AsyncIterable<Uint8Array>, options: GeminiStreamOptions): AsyncGenerator<StreamPart[]> {
  return readEventStream(body, options.provider, new GeminiStreamReader(options));
}

class GeminiStreamReader implements StreamEventReader<StreamPart> {
  private readonly provider: string;
  private readonly calls: ToolCallNumbering;
  private finishReason: string | undefined;
  private blocked = false;
  private usage: Usage | undefined;
  /**
   * The last text event read by `quickText` that carried usage, and where its fields after the
   * candidates begin: parsed only at the end (usage is cumulative, so earlier ones never count).
   */
  private usageEvent: string | undefined;
  private usageFrom = 0;
  // Lines outside any `data:` field: the bare JSON of an error Google writes into the stream.
  private stray: string[] = [];
  private strayChars = 0;

  constructor(options: GeminiStreamOptions) {
    this.provider = options.provider;
    this.calls = new ToolCallNumbering(options.requestId);
  }

  event(data: string, _name: string | undefined, out: StreamPart[]): void {
    if (this.quickText(data, out)) return;
    this.parse(data, out);
  }

  strayLine(line: string): void {
    this.strayChars += line.length;
    if (this.strayChars > MAX_STRAY_CHARS) {
      throw new UpstreamError('upstream_error', `provider ${this.provider} sent bytes that are not an event`, { provider: this.provider, upstreamBody: this.stray.join('\n') });
    }
    this.stray.push(line);
  }

  readEnd(out: StreamPart[]): void {
    this.strayError(false, out);
  }

  end(out: StreamPart[]): void {
    this.strayError(true, out);
    const pending = this.usageEvent === undefined ? undefined : this.pendingUsage(this.usageEvent, this.usageFrom);
    if (pending) this.usage = convertGeminiUsage(pending);
    if (!this.finishReason && !this.blocked) {
      throw new UpstreamError('upstream_error', `provider ${this.provider} ended the stream before finishing`, { provider: this.provider });
    }
    out.push({ type: 'finish', reason: this.finishReason ? mapGeminiFinishReason(this.finishReason, this.calls.used > 0) : 'content_filter' });
    if (this.usage) out.push({ type: 'usage', usage: this.usage });
  }

  /**
   * An event whose only candidate holds one text part and perhaps its finish reason, as most events
   * of a stream are, read by position: its text is the part's text when it has no escapes, and its
   * other fields (usage, model version, response id) are left for the end. A well-formed text whose
   * usage is not JSON is thus reported when the stream ends; any other event takes the general path.
   */
  private quickText(data: string, out: StreamPart[]): boolean {
    const head = data.startsWith(TEXT_HEADS[0]) ? TEXT_HEADS[0] : data.startsWith(TEXT_HEADS[1]) ? TEXT_HEADS[1] : undefined;
    if (head === undefined) return false;
    const end = jsonStringEnd(data, head.length);
    if (end < 0) return false;
    TEXT_CANDIDATE_END.lastIndex = end;
    if (!TEXT_CANDIDATE_END.test(data)) return false;
    const rest = TEXT_CANDIDATE_END.lastIndex;
    const whole = rest === data.length - 1 && data.charCodeAt(rest) === 125;
    if (!whole && (data.charCodeAt(rest) !== 44 || data.charCodeAt(data.length - 1) !== 125 || data.includes('"error"', rest))) return false;
    const text = jsonStringValue(data, head.length, end);
    if (text === undefined) return false;
    if (text) out.push({ type: 'text', text });
    const finish = data.indexOf(FINISH_REASON, end);
    if (finish > 0 && finish < rest) {
      const open = data.indexOf('"', finish + FINISH_REASON.length) + 1;
      this.finishReason = data.slice(open, data.indexOf('"', open));
    }
    if (!whole && data.includes('"usageMetadata"', rest)) {
      this.usageEvent = data;
      this.usageFrom = rest + 1;
    }
    return true;
  }

  private pendingUsage(data: string, from: number): GeminiUsageMetadata | undefined {
    try {
      return (JSON.parse(`{${data.slice(from)}`) as GenerateContentResponse).usageMetadata;
    } catch (cause) {
      throw this.notJson(data, cause);
    }
  }

  private parse(text: string, out: StreamPart[]): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw this.notJson(text, cause);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UpstreamError('upstream_error', `provider ${this.provider} sent an event that is not a JSON object`, { provider: this.provider, upstreamBody: text });
    }
    const response = parsed as GenerateContentResponse & GeminiErrorBody;
    if (response.error) throw mapGeminiError({ provider: this.provider, status: typeof response.error.code === 'number' ? response.error.code : 500, body: text });
    const problem = geminiResponseProblem(response);
    if (problem) throw new UpstreamError('upstream_error', `provider ${this.provider} sent an event with ${problem}`, { provider: this.provider, upstreamBody: text });
    const candidate = response.candidates?.[0];
    if (candidate) {
      convertGeminiParts(candidate.content?.parts, this.calls, out);
      if (candidate.finishReason) this.finishReason = candidate.finishReason;
    } else if (response.promptFeedback) {
      this.blocked = true;
    }
    if (response.usageMetadata) {
      this.usage = convertGeminiUsage(response.usageMetadata);
      this.usageEvent = undefined;
    }
  }

  /** Stray lines that make up a JSON text are an event (Google's bare error); at the end, any left are an error. */
  private strayError(final: boolean, out: StreamPart[]): void {
    if (this.stray.length === 0) return;
    const text = this.stray.join('\n');
    try {
      JSON.parse(text);
    } catch {
      if (final) throw new UpstreamError('upstream_error', `provider ${this.provider} sent bytes that are not an event`, { provider: this.provider, upstreamBody: text });
      return;
    }
    this.stray = [];
    this.strayChars = 0;
    this.parse(text, out);
  }

  private notJson(text: string, cause: unknown): UpstreamError {
    return new UpstreamError('upstream_error', `provider ${this.provider} sent an event that is not JSON`, { provider: this.provider, upstreamBody: text, cause });
  }
}
