/**
 * The requests the benchmark sends, timed, and the checks that each path answers correctly.
 *
 * A Target is one way of asking the one conversation (MESSAGES): its paths, headers and bodies,
 * non-streaming and streaming. A Route pairs a direct target (the fake upstream in its own
 * dialect) with the gateway target that reaches the same fake through one adapter: the
 * OpenAI-compatible relay here, Gemini and Anthropic in translated.ts.
 */
import { Pool } from 'undici';
import { CONTENT_CHUNKS, MODEL } from './config.js';
import { FULL_TEXT } from './fake-common.js';

export const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
  { role: 'user', content: 'Say something short about a quick brown fox and a lazy dog.' },
];
export const CHAT_PATH = '/v1/chat/completions';

/** An OpenAI chat request for `model`, as sent to the gateway (and to the fake directly for the relay). */
export function chatBody(model: string, stream: boolean): string {
  return stream
    ? JSON.stringify({ model, messages: MESSAGES, temperature: 0.7, max_tokens: 64, stream: true, stream_options: { include_usage: true } })
    : JSON.stringify({ model, messages: MESSAGES, temperature: 0.7, max_tokens: 64 });
}

export type RouteName = 'relay' | 'gemini' | 'anthropic';

export interface Target {
  /** For messages: `direct`, `gateway`, `gemini direct`, ... */
  name: string;
  side: 'direct' | 'gateway';
  json: { path: string; body: string };
  stream: { path: string; body: string };
  headers: Record<string, string>;
  /** The bytes that mark a stream's end (`[DONE]`, `message_stop`); none: the end of the body. */
  doneMarker?: string;
}

export interface Route {
  name: RouteName;
  /** For the report. */
  label: string;
  /** The public model the gateway is asked for. */
  model: string;
  direct: Target;
  gateway: Target;
  /** Checks once, before measuring, that the direct target's answers are the expected ones. */
  validateDirect(pool: Pool): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

// The gateway's public key `openai` (seeded by the migrations); a key is hashed and looked up as for any client.
const GATEWAY_HEADERS = { ...JSON_HEADERS, authorization: 'Bearer openai' };

/** The gateway, asked for `model` in OpenAI's format. */
export function gatewayTarget(model: string, name = 'gateway'): Target {
  const chat = (stream: boolean) => ({ path: CHAT_PATH, body: chatBody(model, stream) });
  return { name, side: 'gateway', json: chat(false), stream: chat(true), headers: GATEWAY_HEADERS, doneMarker: '[DONE]' };
}

export const DIRECT: Target = {
  name: 'direct',
  side: 'direct',
  json: { path: CHAT_PATH, body: chatBody(MODEL, false) },
  stream: { path: CHAT_PATH, body: chatBody(MODEL, true) },
  headers: { ...JSON_HEADERS, authorization: 'Bearer sk-bench' },
  doneMarker: '[DONE]',
};
export const GATEWAY: Target = gatewayTarget(MODEL);

/** The OpenAI-compatible relay: the fake's OpenAI dialect, directly and through the gateway. */
export const RELAY: Route = {
  name: 'relay',
  label: 'OpenAI-compatible relay',
  model: MODEL,
  direct: DIRECT,
  gateway: GATEWAY,
  validateDirect: (pool) => validate(pool, DIRECT, MODEL),
};

export const CLIENT_OPTIONS = {
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
  connect: { timeout: 5_000 },
};

export class HttpStatusError extends Error {}

/** One non-streaming call; the time until the whole answer was read, in ms. */
export async function callJson(pool: Pool, target: Target): Promise<number> {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path: target.json.path, headers: target.headers, body: target.json.body });
  const text = await res.body.text();
  const elapsed = performance.now() - started;
  if (res.statusCode !== 200) throw new HttpStatusError(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  return elapsed;
}

export interface StreamTiming {
  first: number;
  done: number;
  /** How many separate reads the body arrived in. */
  reads: number;
}

/** One streaming call; the times until the first event's bytes and until the end marker (or the body's end), in ms. */
export async function callStream(pool: Pool, target: Target): Promise<StreamTiming> {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path: target.stream.path, headers: target.headers, body: target.stream.body });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new HttpStatusError(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  const marker = target.doneMarker;
  let first = -1;
  let done = -1;
  let reads = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    const now = performance.now();
    reads++;
    if (first < 0) first = now - started;
    if (marker !== undefined && done < 0 && chunk.includes(marker)) done = now - started;
  }
  const end = performance.now() - started;
  if (first < 0) throw new Error(`${target.name}: empty stream`);
  return { first, done: done < 0 ? end : done, reads };
}

/** POSTs once and returns the body, failing on any status but 200. */
export async function fetchText(pool: Pool, target: Target, stream: boolean): Promise<string> {
  const { path, body } = stream ? target.stream : target.json;
  const res = await pool.request({ method: 'POST', path, headers: target.headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${target.name} ${stream ? 'streaming' : 'non-streaming'}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`);
  return text;
}

/**
 * Checks once, before measuring, that a path answers what an OpenAI client expects for `model`:
 * the fake's text, whole or in 20 content chunks, one finish reason, one usage chunk, `[DONE]`.
 */
export async function validate(pool: Pool, target: Target, model: string): Promise<void> {
  const text = await fetchText(pool, target, false);
  const completion = JSON.parse(text) as { object?: string; model?: string; choices?: Array<{ message?: { content?: string } }>; usage?: unknown };
  if (completion.object !== 'chat.completion' || completion.choices?.[0]?.message?.content !== FULL_TEXT || !completion.usage || completion.model !== model) {
    throw new Error(`${target.name} non-streaming: unexpected answer: ${text.slice(0, 500)}`);
  }

  const sse = await fetchText(pool, target, true);
  const events = sse.split('\n\n').filter((e) => e.trim() !== '');
  const data = events.map((e) => e.replace(/^data: /, ''));
  if (data.at(-1) !== '[DONE]') throw new Error(`${target.name} streaming: does not end with [DONE]: …${sse.slice(-300)}`);
  type Chunk = { object?: string; model?: string; choices: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>; usage?: unknown };
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
  const content = chunks.map((c) => c.choices[0]?.delta?.content).filter((c): c is string => typeof c === 'string' && c !== '');
  const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
  const usage = chunks.filter((c) => c.choices.length === 0 && c.usage);
  if (
    content.length !== CONTENT_CHUNKS ||
    content.join('') !== FULL_TEXT ||
    finishes.length !== 1 ||
    usage.length !== 1 ||
    chunks.some((c) => c.object !== 'chat.completion.chunk' || c.model !== model)
  ) {
    throw new Error(`${target.name} streaming: expected ${CONTENT_CHUNKS} content chunks, 1 finish reason and 1 usage chunk, got ${content.length}, ${finishes.length} and ${usage.length}:\n${sse.slice(0, 800)}`);
  }
}
