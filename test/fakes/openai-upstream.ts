import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeAnswer, type FakeImage, type FakeRequest, type FakeTurn, fakeAnswer, faultsOf, pieces, sleep } from './fake-behaviour.js';
import { type ForeignListener, listenForeign } from './foreign-listener.js';
import { handleImageEdit, handleImageGeneration, handleSpeech, parseEditRequest } from './openai-media.js';
import { chatToolsProblem } from './openai-chat-validation.js';
import { chatRequestFields } from './openai-spec.js';

/**
 * A fake OpenAI API for tests: OpenAI's wire format and validation errors (unknown fields are
 * rejected as the real API does, from the official spec), with the answers and fault markers every
 * fake shares (fake-behaviour.ts). #rate-limit answers 429 with Retry-After: 7. #echo-key-<status>
 * anywhere in a JSON body answers that status quoting the key it was sent, as OpenAI's 401 does.
 * Files handed out by URL are also served on `foreign` (127.0.0.2).
 */
export interface FakeOpenAI {
  url: string;
  /** Every request body received, parsed. */
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Record<string, unknown>; receivedAt: number; closedAt?: number }>;
  /** Set by a test to make every chat request fail with this status (an OpenAI server error body) until cleared. */
  failWith: number | undefined;
  /** Set by a test with `failWith: 429`: an upstream-wide rate limit (a 429 storm) that says when to come back. */
  failRetryAfter: string | undefined;
  /** The same fake on another host, where `#foreign-url` files live. */
  foreign: ForeignListener;
  close(): Promise<void>;
}

export const FAKE_KEY = 'sk-fake-upstream-key';
/** Texts seen, across every fake of the process: a #flaky request fails once whichever fake gets it. */
const seen = new Map<string, number>();
const KNOWN_MODELS = new Set(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gemini-2.0-flash', 'gemini-2.5-flash', 'text-embedding-3-small']);

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param, code } }));
}

interface Message { role: string; content?: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }
type Part = { type: string; text?: string; image_url?: { url: string }; file?: { file_data?: string } };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return (content as Part[]).filter((p) => p.type === 'text').map((p) => p.text).join(' ');
  return '';
}

function imagesOf(content: unknown): FakeImage[] {
  if (!Array.isArray(content)) return [];
  // Files (a PDF as file_data) are seen as images are: their media type and size.
  return (content as Part[])
    .filter((p) => (p.type === 'image_url' && p.image_url) || (p.type === 'file' && typeof p.file?.file_data === 'string'))
    .map((p) => {
      const m = /^data:([^;]+);base64,(.*)$/s.exec(p.image_url?.url ?? p.file!.file_data!);
      return m ? { mediaType: m[1], bytes: Buffer.from(m[2], 'base64').length } : { mediaType: 'remote', bytes: 0 };
    });
}

/** OpenAI's chat request in the fakes' neutral form. */
function decode(body: Record<string, unknown>): FakeRequest {
  const messages = body.messages as Message[];
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n') || undefined;
  const turns: FakeTurn[] = messages
    .filter((m) => m.role !== 'system' && m.role !== 'developer')
    .map((m) => ({
      role: m.role === 'tool' ? 'tool' : m.role === 'assistant' ? 'assistant' : 'user',
      text: textOf(m.content),
      images: imagesOf(m.content),
      toolCalls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
      toolResult: m.role === 'tool' ? textOf(m.content) : undefined,
    }));
  const choice = body.tool_choice as string | { function: { name: string } } | undefined;
  const format = (body.response_format as { type?: string } | undefined)?.type;
  return {
    system,
    turns,
    tools: ((body.tools as Array<{ function: { name: string } }> | undefined) ?? []).map((t) => t.function.name),
    toolChoice: typeof choice === 'object' && choice !== null ? { name: choice.function.name } : (choice ?? undefined) as FakeRequest['toolChoice'],
    maxTokens: (body.max_completion_tokens ?? body.max_tokens) as number | undefined,
    jsonSchema: format === 'json_schema' || format === 'json_object',
    // OpenAI stops at them and says only "stop", never which one.
    stop: typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : undefined,
  };
}

function usageOf(answer: FakeAnswer) {
  const { input, output, cached } = answer.usage;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output, prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
}


async function handleChat(body: Record<string, unknown>, res: ServerResponse, seen: Map<string, number>): Promise<void> {
  const allowed = chatRequestFields();
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) return sendError(res, 400, `Unrecognized request argument supplied: ${key}`, 'invalid_request_error', null);
  }
  if (body.model === undefined) return sendError(res, 400, 'you must provide a model parameter', 'invalid_request_error', null);
  if (!Array.isArray(body.messages)) return sendError(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
  if (body.messages.length === 0) return sendError(res, 400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'empty_array', 'messages');
  if (!KNOWN_MODELS.has(String(body.model))) return sendError(res, 404, `The model \`${String(body.model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  if (body.stream_options != null && body.stream !== true) return sendError(res, 400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error', null, 'stream_options');
  const toolsProblem = chatToolsProblem(body);
  if (toolsProblem) return sendError(res, 400, toolsProblem.message, 'invalid_request_error', toolsProblem.code, toolsProblem.param);

  const request = decode(body);
  const faults = faultsOf(request, seen);
  if (faults.has('hang')) return new Promise(() => undefined);
  if (faults.has('fail-500')) return sendError(res, 500, 'The server had an error while processing your request.', 'server_error', null);
  if (faults.has('fail-503')) return sendError(res, 503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
  if (faults.has('retry-after-1')) return sendError(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', null, { 'retry-after': '1' });
  if (faults.has('rate-limit')) return sendError(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', null, { 'retry-after': '7' });
  if (faults.has('bad-request')) return sendError(res, 400, "Invalid 'temperature': decimal above maximum value.", 'invalid_request_error', 'decimal_above_max_value', 'temperature');
  if (faults.has('bad-json') && body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end('{"id":"chatcmpl-fake123","object":"chat.comp');
  }
  if (faults.has('not-json')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return void res.end('<html>oops</html>');
  }

  const answer = fakeAnswer(request);
  const usage = usageOf(answer);
  const id = 'chatcmpl-fake123';
  const created = 1_750_000_000;
  const model = `${String(body.model)}-2024-07-18`;
  if (body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
    // DeepSeek's reasoning models answer their reasoning beside the content.
    if (answer.reasoning) message.reasoning_content = answer.reasoning;
    if (answer.toolCalls.length) {
      message.tool_calls = answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finish }], usage, service_tier: 'default', system_fingerprint: 'fp_fake' }));
  }

  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true && !faults.has('no-usage');
  const slow = faults.has('slow');
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) => {
    const chunk: Record<string, unknown> = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_fake', choices, ...extra };
    if (includeUsage && !('usage' in extra)) chunk.usage = null;
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  send([{ index: 0, delta: { role: 'assistant', content: answer.text === null ? null : '', refusal: null }, logprobs: null, finish_reason: null }]);
  for (const piece of pieces(answer.reasoning ?? '')) send([{ index: 0, delta: { reasoning_content: piece }, logprobs: null, finish_reason: null }]);
  if (answer.text) {
    for (const [i, piece] of pieces(answer.text).entries()) {
      if (slow) await sleep(50);
      send([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
      if (faults.has('stall') && i === 1) return new Promise(() => undefined);
      if (faults.has('reset') && i === 1) {
        await sleep(20);
        return void res.socket?.destroy();
      }
      if (faults.has('midstream-error') && i === 1) {
        res.write(`data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`);
        return void res.end();
      }
    }
  }
  for (const [index, call] of answer.toolCalls.entries()) {
    send([{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, logprobs: null, finish_reason: null }]);
    for (const piece of pieces(call.arguments, 8)) {
      send([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]);
    }
  }
  send([{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finish }]);
  if (includeUsage) send([], { usage });
  res.end('data: [DONE]\n\n');
}

/**
 * Legacy completions: "<prompt> and then" cut to `max_tokens` words (16 by default, as OpenAI), as
 * one `text_completion` or streamed a few characters a chunk; `#midstream-error` fails the stream.
 */
function handleLegacyCompletion(body: Record<string, unknown>, res: ServerResponse): void {
  if (typeof body.prompt !== 'string') return sendError(res, 400, "Invalid type for 'prompt'.", 'invalid_request_error', null, 'prompt');
  const limit = typeof body.max_tokens === 'number' ? body.max_tokens : 16;
  const words = `${body.prompt} and then`.split(' ');
  const text = words.slice(0, limit).join(' ');
  const finish = words.length > limit ? 'length' : 'stop';
  const usage = { prompt_tokens: body.prompt.split(' ').length, completion_tokens: Math.min(limit, words.length), total_tokens: body.prompt.split(' ').length + Math.min(limit, words.length) };
  const head = { id: 'cmpl-fake123', object: 'text_completion', created: 1_750_000_000, model: `${String(body.model)}-0914` };
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }], usage }));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  for (const [i, piece] of pieces(text).entries()) {
    res.write(`data: ${JSON.stringify({ ...head, choices: [{ text: piece, index: 0, logprobs: null, finish_reason: null }] })}\n\n`);
    if (i === 1 && text.includes('#midstream-error')) {
      res.write(`data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`);
      return void res.end();
    }
  }
  res.write(`data: ${JSON.stringify({ ...head, choices: [{ text: '', index: 0, logprobs: null, finish_reason: finish }] })}\n\n`);
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) res.write(`data: ${JSON.stringify({ ...head, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** Deterministic vectors: element i of input n is (n + 1) / (i + 2), `dimensions` long (default 8). */
function handleEmbeddings(body: Record<string, unknown>, res: ServerResponse): void {
  const input = body.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  if (!inputs || inputs.length === 0) return sendError(res, 400, "'$.input' is invalid. Please check the API reference.", 'invalid_request_error', null);
  if (!KNOWN_MODELS.has(String(body.model))) return sendError(res, 404, `The model \`${String(body.model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const data = inputs.map((_, n) => {
    const vector = Array.from({ length: dims }, (_, i) => (n + 1) / (i + 2));
    const floats = Float32Array.from(vector);
    const embedding = body.encoding_format === 'base64' ? Buffer.from(floats.buffer).toString('base64') : Array.from(floats);
    return { object: 'embedding', index: n, embedding };
  });
  const tokens = JSON.stringify(inputs).length >> 2;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ object: 'list', data, model: String(body.model), usage: { prompt_tokens: tokens, total_tokens: tokens } }));
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: FakeOpenAI['requests'] = [];
  const fake = { failWith: undefined, failRetryAfter: undefined } as FakeOpenAI;
  const media = { origin: '', foreignOrigin: '', files: new Map<string, Buffer>() };
  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      // A storage error page that quotes the key: whatever an upstream says, the gateway must not repeat it.
      const failing = req.method === 'GET' ? /^\/files\/echo-(\d{3})-/.exec(path) : null;
      if (failing) {
        res.writeHead(Number(failing[1]), { 'content-type': 'application/xml' });
        return void res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request with key ${FAKE_KEY}.</Message></Error>`);
      }
      // Images answered by URL are fetched without the key, as from OpenAI's storage.
      const file = req.method === 'GET' && path.startsWith('/files/') ? media.files.get(path.slice(7)) : undefined;
      if (file) {
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end(file);
      }
      if (req.headers.authorization !== `Bearer ${FAKE_KEY}`) {
        return sendError(res, 401, 'Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
      }
      if (req.method === 'POST' && path === '/v1/images/edits') {
        parseEditRequest(req.headers, Buffer.concat(chunks)).then(
          (edit) => {
            requests.push({ path, headers: req.headers, body: { ...edit.fields, images: edit.images }, receivedAt: performance.now() });
            handleImageEdit(edit, res, media, sendError);
          },
          () => sendError(res, 400, 'Could not parse multipart form', 'invalid_request_error', null),
        );
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
      }
      const record: FakeOpenAI['requests'][number] = { path, headers: req.headers, body, receivedAt: performance.now() };
      requests.push(record);
      res.on('close', () => (record.closedAt = performance.now()));
      const echo = /#echo-key-(\d{3})/.exec(JSON.stringify(body));
      if (echo) {
        const status = Number(echo[1]);
        const key = String(req.headers.authorization).replace(/^Bearer /, '');
        return sendError(res, status, `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, status >= 500 ? 'server_error' : 'invalid_request_error', status === 401 ? 'invalid_api_key' : null);
      }
      if (req.method === 'POST' && path === '/v1/embeddings') return handleEmbeddings(body, res);
      if (req.method === 'POST' && path === '/v1/completions') return handleLegacyCompletion(body, res);
      if (req.method === 'POST' && path === '/v1/images/generations') return handleImageGeneration(body, res, media, sendError);
      if (req.method === 'POST' && path === '/v1/audio/speech') return handleSpeech(body, res, sendError);
      if (req.method === 'POST' && path === '/v1/chat/completions' && fake.failWith === 429) {
        return sendError(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', null, fake.failRetryAfter === undefined ? {} : { 'retry-after': fake.failRetryAfter });
      }
      if (req.method === 'POST' && path === '/v1/chat/completions' && fake.failWith !== undefined) {
        return sendError(res, fake.failWith, 'The server had an error while processing your request.', 'server_error', null);
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        handleChat(body, res, seen).catch((error) => res.destroy(error));
        return;
      }
      sendError(res, 404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
    });
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const foreign = await listenForeign(handler);
  media.origin = `http://127.0.0.1:${port}`;
  media.foreignOrigin = foreign.origin;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    foreign,
    close: async () => {
      await foreign.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  });
  return fake;
}
