import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
 * Writes the head of an SSE answer. The socket stays corked until the microtasks now queued have
 * run, as Node does for each chunk: the first events, usually at hand already (they came in the
 * same read as the upstream's head), leave in the same write as the head, and otherwise the head
 * leaves alone, no later than before.
 */
export function writeSseHead(res: ServerResponse, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
  const socket = res.socket;
  if (socket && !socket.writableCorked) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  res.flushHeaders();
}

function uncork(socket: Socket): void {
  socket.uncork();
}
