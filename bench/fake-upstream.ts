/**
 * A minimal, fast fake OpenAI-compatible upstream for the benchmark, on plain `node:http`.
 *
 *   POST /v1/chat/completions   non-streaming: one `chat.completion` with usage;
 *                               `stream: true`: exactly 20 content chunks in OpenAI's SSE framing
 *                               (each with `"usage":null` when `stream_options.include_usage` was
 *                               sent, then a usage-only chunk with `"choices":[]`), then
 *                               `data: [DONE]`. Each chunk is written as it is produced.
 *   GET  /health                `{"status":"ok"}`, for the runner to wait on.
 *
 * It parses the request body as JSON (as the real API does) and does nothing heavy. It binds to a
 * loopback address only; the port it got is printed on stdout as `listening <port>`.
 *
 * Environment: FAKE_PORT (default 0 = any free port), FAKE_HOST (default 127.0.0.1; must be a
 * loopback address), FAKE_CHUNK_DELAY_MS (default 0: no delay between chunks; each chunk is still
 * written in its own event-loop turn), FAKE_SYNC_CHUNKS=1 (write all chunks in one tick).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const HOST = process.env.FAKE_HOST || '127.0.0.1';
const PORT = Number(process.env.FAKE_PORT || 0);
const CHUNK_DELAY_MS = Number(process.env.FAKE_CHUNK_DELAY_MS || 0);
/**
 * By default each chunk is produced in its own turn of the event loop (`setImmediate`, no timer
 * delay), so every chunk is its own socket write, as with a real model emitting tokens. With
 * FAKE_SYNC_CHUNKS=1 all chunks are written in one tick, and Node coalesces them into one write.
 */
const SYNC_CHUNKS = process.env.FAKE_SYNC_CHUNKS === '1';

if (!['127.0.0.1', '::1', 'localhost'].includes(HOST)) {
  process.stderr.write(`fake-upstream: refusing to bind to non-loopback address ${HOST}\n`);
  process.exit(2);
}

/** 20 pieces of text, one per streamed content chunk; the non-streaming answer is their join. */
const PIECES = [
  'Sure', '!', ' Here', ' is', ' a', ' short', ' answer', ':', ' the', ' quick',
  ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', ' again', ' today', '.',
];
const FULL_TEXT = PIECES.join('');
const PROMPT_TOKENS = 27;
const COMPLETION_TOKENS = PIECES.length;
const USAGE = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: COMPLETION_TOKENS,
  total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const FINGERPRINT = 'fp_bench0001';

let counter = 0;
function newId(): string {
  counter = (counter + 1) >>> 0;
  return `chatcmpl-bench${Date.now().toString(36)}${counter.toString(36)}`;
}

function sendJson(res: ServerResponse, status: number, payload: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

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
      if (CHUNK_DELAY_MS > 0) setTimeout(next, CHUNK_DELAY_MS);
      else if (SYNC_CHUNKS) next();
      else setImmediate(next);
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
  if (req.method !== 'POST' || (url !== '/v1/chat/completions' && url !== '/chat/completions')) {
    req.resume();
    sendError(res, 404, `Invalid URL (${req.method} ${url})`);
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (chunk: Buffer) => parts.push(chunk));
  req.on('end', () => {
    let body: ChatBody;
    try {
      body = JSON.parse(parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8')) as ChatBody;
    } catch {
      sendError(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }
    if (typeof body !== 'object' || body === null || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      sendError(res, 400, "Missing required parameter: 'model' or 'messages'.");
      return;
    }
    if (body.stream === true) stream(res, body, body.model);
    else complete(res, body.model);
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, onRequest);
server.listen(PORT, HOST, () => {
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
