/**
 * What the fake upstream's three dialects (OpenAI, Gemini, Anthropic) share: the one answer they
 * all give, its token counts, the pacing of streamed pieces and small response helpers. Kept
 * minimal and fast: the fake's own cost is paid alike by a direct call and by the gateway's call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const CHUNK_DELAY_MS = Number(process.env.FAKE_CHUNK_DELAY_MS || 0);
/**
 * By default each chunk is produced in its own turn of the event loop (`setImmediate`, no timer
 * delay), so every chunk is its own socket write, as with a real model emitting tokens. With
 * FAKE_SYNC_CHUNKS=1 all chunks are written in one tick, and Node coalesces them into one write.
 */
const SYNC_CHUNKS = process.env.FAKE_SYNC_CHUNKS === '1';

/** 20 pieces of text, one per streamed content chunk; the non-streaming answer is their join. */
export const PIECES = [
  'Sure', '!', ' Here', ' is', ' a', ' short', ' answer', ':', ' the', ' quick',
  ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', ' again', ' today', '.',
];
export const FULL_TEXT = PIECES.join('');
export const PROMPT_TOKENS = 27;
export const COMPLETION_TOKENS = PIECES.length;

/** Runs `next` for the next streamed piece: next turn of the event loop, after a delay, or at once. */
export function schedule(next: () => void): void {
  if (CHUNK_DELAY_MS > 0) setTimeout(next, CHUNK_DELAY_MS);
  else if (SYNC_CHUNKS) next();
  else setImmediate(next);
}

let counter = 0;
/** A unique id with the provider's prefix (`chatcmpl-`, `msg_`, ...). */
export function newId(prefix: string): string {
  counter = (counter + 1) >>> 0;
  return `${prefix}bench${Date.now().toString(36)}${counter.toString(36)}`;
}

export function sendJson(res: ServerResponse, status: number, payload: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/**
 * Reads the request body and parses it as JSON (as the real APIs do); `onBody` gets the parsed
 * value, or `undefined` when it is not JSON.
 */
export function readJson(req: IncomingMessage, onBody: (body: unknown) => void): void {
  const parts: Buffer[] = [];
  req.on('data', (chunk: Buffer) => parts.push(chunk));
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8'));
    } catch {
      body = undefined;
    }
    onBody(body);
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
