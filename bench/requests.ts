/** The requests the benchmark sends, timed, and the check that both paths answer correctly. */
import { Pool } from 'undici';
import { CONTENT_CHUNKS, MODEL } from './config.js';

export const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
  { role: 'user', content: 'Say something short about a quick brown fox and a lazy dog.' },
];
export const JSON_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, temperature: 0.7, max_tokens: 64 });
export const STREAM_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, temperature: 0.7, max_tokens: 64, stream: true, stream_options: { include_usage: true } });
export const CHAT_PATH = '/v1/chat/completions';

export interface Target {
  name: 'direct' | 'gateway';
  headers: Record<string, string>;
}

export const DIRECT: Target = { name: 'direct', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } };
// The gateway's public key `openai` (seeded by the migrations); a key is hashed and looked up as for any client.
export const GATEWAY: Target = { name: 'gateway', headers: { 'content-type': 'application/json', authorization: 'Bearer openai' } };

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
  const res = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: JSON_BODY });
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

/** One streaming call; the times until the first event's bytes and until `[DONE]`, in ms. */
export async function callStream(pool: Pool, target: Target): Promise<StreamTiming> {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: STREAM_BODY });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new HttpStatusError(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  let first = -1;
  let done = -1;
  let reads = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    const now = performance.now();
    reads++;
    if (first < 0) first = now - started;
    if (done < 0 && chunk.includes('[DONE]')) done = now - started;
  }
  const end = performance.now() - started;
  if (first < 0) throw new Error(`${target.name}: empty stream`);
  return { first, done: done < 0 ? end : done, reads };
}

/** Checks once, before measuring, that both paths answer what an OpenAI client expects. */
export async function validate(pool: Pool, target: Target): Promise<void> {
  const json = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: JSON_BODY });
  const text = await json.body.text();
  if (json.statusCode !== 200) throw new Error(`${target.name} non-streaming: HTTP ${json.statusCode}: ${text.slice(0, 500)}`);
  const completion = JSON.parse(text) as { object?: string; model?: string; choices?: Array<{ message?: { content?: string } }>; usage?: unknown };
  if (completion.object !== 'chat.completion' || !completion.choices?.[0]?.message?.content || !completion.usage || completion.model !== MODEL) {
    throw new Error(`${target.name} non-streaming: unexpected answer: ${text.slice(0, 500)}`);
  }

  const stream = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: STREAM_BODY });
  const sse = await stream.body.text();
  if (stream.statusCode !== 200) throw new Error(`${target.name} streaming: HTTP ${stream.statusCode}: ${sse.slice(0, 500)}`);
  const events = sse.split('\n\n').filter((e) => e.trim() !== '');
  const data = events.map((e) => e.replace(/^data: /, ''));
  if (data.at(-1) !== '[DONE]') throw new Error(`${target.name} streaming: does not end with [DONE]: …${sse.slice(-300)}`);
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object?: string; model?: string; choices: unknown[]; usage?: unknown });
  const content = chunks.filter((c) => c.choices.length > 0);
  const usage = chunks.filter((c) => c.choices.length === 0 && c.usage);
  if (content.length !== CONTENT_CHUNKS || usage.length !== 1 || chunks.some((c) => c.object !== 'chat.completion.chunk' || c.model !== MODEL)) {
    throw new Error(`${target.name} streaming: expected ${CONTENT_CHUNKS} content chunks and 1 usage chunk, got ${content.length} and ${usage.length}:\n${sse.slice(0, 800)}`);
  }
}
