import type { ServerResponse } from 'node:http';
import type { ApiError } from '../core/errors.js';

/** The one place that frames server-sent events for clients. */
export const SSE_DONE = 'data: [DONE]\n\n';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** Frames a batch of JSON texts as one string, so a batch costs one socket write. */
export function sseBatch(payloads: readonly string[]): string {
  if (payloads.length === 1) return `data: ${payloads[0]}\n\n`;
  let out = '';
  for (const payload of payloads) out += `data: ${payload}\n\n`;
  return out;
}

/** A failure after the first byte: an error event, then `[DONE]`, as OpenAI clients expect. */
export function sseError(error: ApiError): string {
  return `data: ${JSON.stringify(error.toJSON())}\n\n${SSE_DONE}`;
}

/**
 * Writes the head of an SSE answer. It leaves with the first bytes written in this turn of the
 * event loop (one socket write instead of two: the first events are usually at hand already), or on
 * its own when the turn ends, so a client never waits longer for it. Clear the returned immediate
 * once the body's first bytes are written.
 */
export function writeSseHead(res: ServerResponse, extraHeaders: Record<string, string>): NodeJS.Immediate {
  res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
  return setImmediate(flushHead, res);
}

function flushHead(res: ServerResponse): void {
  if (!res.destroyed && !res.writableEnded) res.flushHeaders();
}
