import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHostileRequest } from './hostile-request.js';

/**
 * An upstream that turns on the gateway over Gemini's wire (`/v1beta/models/{m}:generateContent`
 * and `:streamGenerateContent?alt=sse`) and Cohere's (`/v2/chat`, `/v2/embed`); Gemini's `:batchEmbedContents` and OpenAI's `/v1/embeddings` too, for the outside
 * checks (threat-outside2-*). The behaviour is picked by a `#h-<mode>` marker in the request body;
 * without one it answers a short "hello", streamed when asked. Modes (each on both wires where the
 * wire has the thing):
 *   echo-key-midstream  a first event, then an error quoting the credential it was sent (Gemini's
 *                       bare error object, with the key also in a `?key=` URL, and unstreamed
 *                       a 500 INTERNAL quoting it; Cohere's `message-end` carrying `error`)
 *   garbage             a first event, then bytes that are no event
 *   truncated           a first event, then half an event, and the connection closes
 *   usage-negative / usage-huge   counts below zero, or 1e308
 *   safety              Gemini: a candidate with no content finished by SAFETY
 *   empty-candidates    Gemini: `candidates: []` and nothing else
 *   finish-unknown      a finish reason the adapter has never seen ("FUTURE_REASON")
 *   finish-number       a finish reason that is a number
 *   null-candidate      Gemini: `candidates: [null]`; Cohere: `content: [null]`, streamed a `delta: null`
 *   null-part           Gemini: `parts: [null]`
 *   bad-vector          embeddings whose vectors hold strings (null-candidate: vectors that are null)
 *   blocked             Gemini: no candidates, only `promptFeedback.blockReason`
 *   json-array          Gemini: the stream as one JSON array (`application/json`), as without alt=sse
 *   unknown-events      Cohere: event types it has never sent, among the usual ones
 */
export interface HostileGeminiCohere {
  url: string;
  geminiKey: string;
  cohereKey: string;
  close(): Promise<void>;
}

const GEMINI_KEY = 'AIzaHostileGeminiSecret4711xyz';
const COHERE_KEY = 'co-hostile-cohere-secret-4711';

const sse = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/event-stream' });
const json = (res: ServerResponse, body: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const USAGE: Record<string, [number, number]> = { 'usage-negative': [-1_000_000, 1], 'usage-huge': [5, 1e308] };

const geminiText = (text: string, finishReason?: unknown, usage?: [number, number]): Record<string, unknown> => ({
  candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(finishReason === undefined ? {} : { finishReason }), index: 0 }],
  ...(usage ? { usageMetadata: { promptTokenCount: usage[0], candidatesTokenCount: usage[1], totalTokenCount: usage[0] + usage[1] } } : {}),
  modelVersion: 'gemini-x',
});

function geminiAnswer(mode: string, streaming: boolean): Record<string, unknown> | undefined {
  switch (mode) {
    case 'safety':
      return { candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'HIGH', blocked: true }] }], usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } };
    case 'blocked':
      return { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } };
    case 'empty-candidates':
      return { candidates: [] };
    case 'finish-unknown':
      return geminiText('hello', 'FUTURE_REASON', [5, 1]);
    case 'finish-number':
      return geminiText('hello', 7, [5, 1]);
    case 'null-candidate':
      return { candidates: [null], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 } };
    case 'null-part':
      return { candidates: [{ content: { parts: [null], role: 'model' }, finishReason: 'STOP' }] };
    default:
      return USAGE[mode] ? geminiText('hello', 'STOP', USAGE[mode]) : streaming ? undefined : geminiText('hello', 'STOP', [5, 1]);
  }
}

/** One embedding vector: null in null-candidate mode, a list of strings in bad-vector mode. */
function embedding(mode: string): unknown {
  return mode === 'null-candidate' ? null : mode === 'bad-vector' ? ['a', 'b'] : [0.1, 0.2];
}

function gemini(req: IncomingMessage, res: ServerResponse, mode: string, body: Record<string, unknown>): void {
  const key = String(req.headers['x-goog-api-key'] ?? '');
  if (req.url?.includes(':batchEmbedContents')) {
    const requests = Array.isArray(body.requests) ? body.requests : [];
    return json(res, { embeddings: requests.map(() => (mode === 'null-candidate' ? null : { values: embedding(mode) })) });
  }
  const streaming = req.url?.includes(':streamGenerateContent') ?? false;
  const first = `data: ${JSON.stringify(geminiText('par'))}\n\n`;
  if (!streaming) {
    if (mode === 'echo-key-midstream') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, message: `Internal error calling https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=${key} for ${key}`, status: 'INTERNAL' } }));
      return;
    }
    return json(res, geminiAnswer(mode, false));
  }
  switch (mode) {
    case 'echo-key-midstream':
      sse(res);
      res.write(first);
      // Google writes a failure mid-stream as a bare JSON error object.
      res.end(`${JSON.stringify({ error: { code: 500, message: `Internal error for ?key=${key}`, status: 'INTERNAL' } }, null, 2)}\n`);
      return;
    case 'garbage':
      sse(res);
      res.write(first);
      res.end('\u0000\u0001<html>not an event</html>\n\n');
      return;
    case 'truncated':
      sse(res);
      res.write(first);
      res.end('data: {"candidates": [{"content": {"parts": [{"te');
      return;
    case 'json-array':
      return json(res, [geminiText('hello'), geminiText('', 'STOP', [5, 1])]);
    default: {
      const answer = geminiAnswer(mode, true);
      sse(res);
      res.end(answer ? `${first}data: ${JSON.stringify(answer)}\n\n` : `${first}data: ${JSON.stringify(geminiText('lo', 'STOP', [5, 1]))}\n\n`);
    }
  }
}

const cohereEvent = (type: string, data: Record<string, unknown> = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const cohereUsage = ([input, output]: [number, number]) => ({ billed_units: { input_tokens: input, output_tokens: output }, tokens: { input_tokens: input, output_tokens: output } });

function cohereFinish(mode: string): unknown {
  return mode === 'finish-unknown' ? 'FUTURE_REASON' : mode === 'finish-number' ? 7 : 'COMPLETE';
}

function cohere(req: IncomingMessage, res: ServerResponse, mode: string, body: Record<string, unknown>): void {
  const key = String(req.headers.authorization ?? '');
  const usage = USAGE[mode] ?? [5, 1];
  if (req.url?.endsWith('/embed')) {
    const texts = Array.isArray(body.texts) ? body.texts : [];
    return json(res, { id: 'e', embeddings: { float: texts.map(() => embedding(mode)) }, texts, meta: { billed_units: { input_tokens: usage[0] } } });
  }
  if (body.stream !== true) {
    const content = mode === 'null-candidate' ? [null] : [{ type: 'text', text: 'hello' }];
    return json(res, { id: 'c', finish_reason: cohereFinish(mode), message: { role: 'assistant', content }, usage: cohereUsage(usage) });
  }
  sse(res);
  const start = cohereEvent('message-start', { id: 'c', delta: { message: { role: 'assistant' } } }) + cohereEvent('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } });
  const delta = (text: string) => cohereEvent('content-delta', { index: 0, delta: { message: { content: { text } } } });
  switch (mode) {
    case 'echo-key-midstream':
      res.end(`${start}${delta('par')}${cohereEvent('message-end', { delta: { error: `invalid api token ${key}`, finish_reason: 'ERROR' } })}`);
      return;
    case 'garbage':
      res.end(`${start}${delta('par')}\u0000\u0001<html>not an event</html>\n\n`);
      return;
    case 'truncated':
      res.end(`${start}${delta('par')}event: content-delta\ndata: {"type":"content-delta","delta":{"mess`);
      return;
    case 'unknown-events':
      res.end(`${start}${cohereEvent('future-event', { delta: { message: { content: { text: 'NOT SHOWN' } } } })}${delta('hello')}${cohereEvent('message-end', { delta: { finish_reason: 'COMPLETE', usage: cohereUsage(usage) } })}`);
      return;
    case 'null-candidate':
      res.end(`${start}${cohereEvent('content-delta', { index: 0, delta: null })}${delta('hello')}${cohereEvent('message-end', { delta: { finish_reason: 'COMPLETE', usage: cohereUsage(usage) } })}`);
      return;
    default:
      res.end(`${start}${delta('hello')}${cohereEvent('content-end', { index: 0 })}${cohereEvent('message-end', { delta: { finish_reason: cohereFinish(mode), usage: cohereUsage(usage) } })}`);
  }
}

/** OpenAI's `/v1/embeddings`, for comparing its adapter's checks with Gemini's and Cohere's. */
function openAIEmbeddings(res: ServerResponse, mode: string, body: Record<string, unknown>): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((_, index) => (mode === 'null-candidate' ? null : { object: 'embedding', index, embedding: embedding(mode) }));
  json(res, { object: 'list', data, model: 'text-embedding-3-small', usage: { prompt_tokens: 5, total_tokens: 5 } });
}

export async function startHostileGeminiCohere(): Promise<HostileGeminiCohere> {
  const server: Server = createServer(
    readHostileRequest((req, res, body, mode) => {
      if (req.url === '/v1/embeddings') openAIEmbeddings(res, mode, body);
      else if (req.url?.startsWith('/v1beta/')) gemini(req, res, mode, body);
      else cohere(req, res, mode, body);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    geminiKey: GEMINI_KEY,
    cohereKey: COHERE_KEY,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
