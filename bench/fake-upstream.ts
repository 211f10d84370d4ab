/**
 * A minimal, fast fake upstream for the benchmark, on plain `node:http`, speaking three dialects
 * with the same answer (the same text; 20 pieces when streamed, each written in its own
 * event-loop turn):
 *
 *   POST /v1/chat/completions   OpenAI-compatible. Non-streaming: one `chat.completion` with usage;
 *                               `stream: true`: exactly 20 content chunks in OpenAI's SSE framing
 *                               (each with `"usage":null` when `stream_options.include_usage` was
 *                               sent, then a usage-only chunk with `"choices":[]`), then
 *                               `data: [DONE]`. Each chunk is written as it is produced.
 *   POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse
 *                               Gemini (fake-gemini.ts).
 *   POST /v1/messages           Anthropic (fake-anthropic.ts).
 *   GET  /health                `{"status":"ok"}`, for the runner to wait on.
 *
 * It parses the request body as JSON (as the real APIs do) and does nothing heavy. It binds to a
 * loopback address only; the port it got is printed on stdout as `listening <port>`.
 *
 * Environment: FAKE_PORT (default 0 = any free port), FAKE_HOST (default 127.0.0.1; must be a
 * loopback address), FAKE_CHUNK_DELAY_MS (default 0: no delay between chunks; each chunk is still
 * written in its own event-loop turn), FAKE_SYNC_CHUNKS=1 (write all chunks in one tick); see
 * fake-common.ts. FAKE_STREAM_CHUNKS=N (OpenAI dialect only) streams the same text in N content
 * chunks instead of 20: with FAKE_CHUNK_DELAY_MS=1000 and N=10, a 10-second stream of one chunk a
 * second (the slow-streams bench).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { handleAnthropic } from './fake-anthropic.js';
import { COMPLETION_TOKENS, FULL_TEXT, PIECES as ALL_PIECES, PROMPT_TOKENS, newId as prefixedId, readJson, schedule, sendJson } from './fake-common.js';
import { handleGemini } from './fake-gemini.js';

const HOST = process.env.FAKE_HOST || '127.0.0.1';
const PORT = Number(process.env.FAKE_PORT || 0);

if (!['127.0.0.1', '::1', 'localhost'].includes(HOST)) {
  process.stderr.write(`fake-upstream: refusing to bind to non-loopback address ${HOST}\n`);
  process.exit(2);
}

/** The streamed pieces: the 20 of fake-common.ts, or as many as FAKE_STREAM_CHUNKS asks, joined in order. */
const PIECES = groupPieces(Number(process.env.FAKE_STREAM_CHUNKS || ALL_PIECES.length));

function groupPieces(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > ALL_PIECES.length) throw new Error(`FAKE_STREAM_CHUNKS must be from 1 to ${ALL_PIECES.length}`);
  const size = ALL_PIECES.length / count;
  return Array.from({ length: count }, (_, i) => ALL_PIECES.slice(Math.round(i * size), Math.round((i + 1) * size)).join(''));
}

const USAGE = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: COMPLETION_TOKENS,
  total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const FINGERPRINT = 'fp_bench0001';

const newId = (): string => prefixedId('chatcmpl-');

function sendError(res: ServerResponse, status: number, message: string, type = 'invalid_request_error'): void {
  sendJson(res, status, JSON.stringify({ error: { message, type, param: null, code: null } }));
}

interface ChatBody {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  messages?: unknown;
}

function complete(res: ServerResponse, model: string): void {
  const completion = {
    id: newId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: FULL_TEXT, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
  sendJson(res, 200, JSON.stringify(completion));
}

function stream(res: ServerResponse, body: ChatBody, model: string): void {
  const includeUsage = body.stream_options?.include_usage === true;
  const id = newId();
  const created = Math.floor(Date.now() / 1000);
  // The same prefix OpenAI sends on every chunk; only the delta and finish reason change.
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${FINGERPRINT}","choices":[`;
  const tail = includeUsage ? '],"usage":null}' : ']}';

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });

  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i < PIECES.length) {
      const delta = i === 0 ? `{"role":"assistant","content":${JSON.stringify(PIECES[i])},"refusal":null}` : `{"content":${JSON.stringify(PIECES[i])}}`;
      const finish = i === PIECES.length - 1 ? '"stop"' : 'null';
      res.write(`data: ${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}${tail}\n\n`);
      i++;
      schedule(next);
      return;
    }
    if (includeUsage) res.write(`data: ${head}],"usage":${JSON.stringify(USAGE)}}\n\n`);
    res.end('data: [DONE]\n\n');
  };
  next();
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (req.method === 'GET' && (url === '/health' || url === '/v1/health')) {
    sendJson(res, 200, '{"status":"ok"}');
    return;
  }
  if (url.startsWith('/v1beta/') && handleGemini(req, res, url)) return;
  if (handleAnthropic(req, res, url)) return;
  if (req.method !== 'POST' || (url !== '/v1/chat/completions' && url !== '/chat/completions')) {
    req.resume();
    sendError(res, 404, `Invalid URL (${req.method} ${url})`);
    return;
  }
  readJson(req, (parsed) => {
    if (parsed === undefined) {
      sendError(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }
    const body = parsed as ChatBody;
    if (typeof body !== 'object' || body === null || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      sendError(res, 400, "Missing required parameter: 'model' or 'messages'.");
      return;
    }
    if (body.stream === true) stream(res, body, body.model);
    else complete(res, body.model);
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
// A backlog large enough for the slow-streams bench's 1,000 connections opened at once.
server.listen(PORT, HOST, 4096, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : PORT;
  process.stdout.write(`listening ${port}\n`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
