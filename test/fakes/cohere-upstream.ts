import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeAnswer, type FakeImage, type FakeRequest, type FakeTurn, fakeAnswer, faultsOf, pieces, sleep } from './fake-behaviour.js';

/**
 * A fake Cohere v2 API for tests: `POST /v2/chat` (JSON, or server-sent events with `stream`)
 * and `POST /v2/embed`, `Authorization: Bearer`, Cohere's `{"id","message"}` error bodies, and
 * its validation: unknown fields anywhere are a 422 (as Cohere answers "unknown field: parameter
 * 'strict' is not a valid field"), malformed bodies a 400, a tool message without `tool_call_id`
 * a 400, an unknown model a 404, a missing or wrong key a 401. Answers and fault markers are the
 * ones every fake shares (fake-behaviour.ts); #rate-limit answers 429 with Retry-After: 7 and
 * #midstream-error ends the stream with Cohere's failed `message-end` (`delta.error`).
 */
export interface FakeCohere {
  /** The host root, as COHERE_BASE_URL holds it. */
  url: string;
  /** Every request that got past authentication, body parsed. */
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const FAKE_COHERE_KEY = 'co-fake-upstream-key';
const CHAT_MODELS = new Set(['command-r-plus', 'command-r', 'command-r-plus-08-2024', 'command-r7b-12-2024', 'command-a-03-2025', 'command-a-vision-07-2025']);
const EMBED_MODELS = new Set(['embed-v4.0', 'embed-english-v3.0', 'embed-multilingual-v3.0']);
/** Tokens of Cohere's own prompt template: processed and cached, never billed. */
const TEMPLATE_TOKENS = 8;

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string): Rejection => new Rejection(400, `invalid request: ${message}`);
const unknownField = (name: string): Rejection =>
  new Rejection(422, `unknown field: parameter '${name}' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat`);

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ id: randomUUID(), message }));
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function allowOnly(value: Json, fields: readonly string[]): void {
  for (const key of Object.keys(value)) if (!fields.includes(key)) throw unknownField(key);
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalid(`${what} must be a string`);
  return value;
}

function inRange(body: Json, name: string, min: number, max: number): void {
  const value = body[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || value < min || value > max) throw invalid(`${name} must be a number between ${min} and ${max}`);
}

/** Text and images of a content field, checking each part's shape against the part types `allowed`. */
function readContent(content: unknown, allowed: readonly string[], where: string): { text: string; images: FakeImage[] } {
  if (typeof content === 'string') return { text: content, images: [] };
  if (!Array.isArray(content)) throw invalid(`${where}.content must be a string or a list of content items`);
  const texts: string[] = [];
  const images: FakeImage[] = [];
  for (const part of content) {
    if (!isObject(part) || !allowed.includes(part.type as string)) throw invalid(`${where}.content has an unsupported content type ${JSON.stringify(isObject(part) ? part.type : part)}`);
    if (part.type === 'text') {
      allowOnly(part, ['type', 'text']);
      texts.push(requireString(part.text, `${where}.content.text`));
    } else if (part.type === 'thinking') {
      allowOnly(part, ['type', 'thinking']);
    } else if (part.type === 'document') {
      allowOnly(part, ['type', 'document']);
      const document = part.document as Json | undefined;
      texts.push(typeof document?.data === 'string' ? document.data : JSON.stringify(document?.data));
    } else {
      allowOnly(part, ['type', 'image_url']);
      const image = part.image_url;
      if (!isObject(image)) throw invalid(`${where}.content.image_url must be an object`);
      allowOnly(image, ['url', 'detail']);
      const url = requireString(image.url, `${where}.content.image_url.url`);
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
      if (data) images.push({ mediaType: data[1], bytes: Buffer.from(data[2], 'base64').length });
      else if (/^https?:\/\//.test(url)) images.push({ mediaType: 'remote', bytes: 0 });
      else throw invalid(`${where}.content.image_url.url must be a base64 data URL or an http(s) URL`);
    }
  }
  return { text: texts.join(' '), images };
}

/** Validates a `/v2/chat` body as Cohere does and decodes it into the fakes' neutral form. */
function decodeChat(body: Json): FakeRequest {
  allowOnly(body, [
    'model', 'messages', 'stream', 'tools', 'strict_tools', 'documents', 'citation_options', 'response_format', 'safety_mode', 'max_tokens',
    'stop_sequences', 'temperature', 'seed', 'frequency_penalty', 'presence_penalty', 'k', 'p', 'logprobs', 'tool_choice', 'thinking',
  ]);
  if (typeof body.model !== 'string' || body.model === '') throw invalid('model must be specified');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalid('stream must be a boolean');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages must be a non-empty list');
  inRange(body, 'p', 0.01, 0.99);
  inRange(body, 'k', 0, 500);
  inRange(body, 'frequency_penalty', 0, 1);
  inRange(body, 'presence_penalty', 0, 1);
  inRange(body, 'temperature', 0, 5);
  if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)) throw invalid('max_tokens must be a positive integer');
  if (body.seed !== undefined && !Number.isInteger(body.seed)) throw invalid('seed must be an integer');
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.length > 5 || !body.stop_sequences.every((s) => typeof s === 'string'))) {
    throw invalid('stop_sequences must be a list of at most 5 strings');
  }

  const tools: string[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw invalid('tools must be a list');
    for (const tool of body.tools) {
      if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) throw invalid('each tool must be of type function with a function object');
      allowOnly(tool, ['type', 'function']);
      allowOnly(tool.function, ['name', 'description', 'parameters']);
      tools.push(requireString(tool.function.name, 'tools.function.name'));
      if (!isObject(tool.function.parameters)) throw invalid('tools.function.parameters must be a JSON schema object');
    }
  }
  if (body.tool_choice !== undefined) {
    if (body.tool_choice !== 'REQUIRED' && body.tool_choice !== 'NONE') throw invalid("tool_choice must be one of 'REQUIRED', 'NONE'");
    if (tools.length === 0) throw invalid('tool_choice requires tools to be specified');
  }
  let jsonSchema = false;
  if (body.response_format !== undefined) {
    const format = body.response_format;
    if (!isObject(format) || (format.type !== 'text' && format.type !== 'json_object')) throw invalid("response_format.type must be one of 'text', 'json_object'");
    allowOnly(format, format.type === 'json_object' ? ['type', 'json_schema'] : ['type']);
    jsonSchema = format.type === 'json_object';
  }

  const system: string[] = [];
  const turns: FakeTurn[] = [];
  body.messages.forEach((message: unknown, i: number) => {
    const where = `messages[${i}]`;
    if (!isObject(message)) throw invalid(`${where} must be an object`);
    switch (message.role) {
      case 'system':
        allowOnly(message, ['role', 'content']);
        system.push(readContent(message.content, ['text'], where).text);
        break;
      case 'user': {
        allowOnly(message, ['role', 'content']);
        const { text, images } = readContent(message.content, ['text', 'image_url', 'document'], where);
        turns.push({ role: 'user', text, images, toolCalls: [] });
        break;
      }
      case 'assistant': {
        allowOnly(message, ['role', 'content', 'tool_calls', 'tool_plan', 'citations']);
        const calls = (message.tool_calls ?? []) as unknown[];
        if (!Array.isArray(calls)) throw invalid(`${where}.tool_calls must be a list`);
        const toolCalls = calls.map((call) => {
          if (!isObject(call) || !isObject(call.function)) throw invalid(`${where}.tool_calls must hold function calls`);
          allowOnly(call, ['id', 'type', 'function']);
          allowOnly(call.function, ['name', 'arguments']);
          return { id: requireString(call.id, 'tool_calls.id'), name: requireString(call.function.name, 'tool_calls.function.name'), arguments: requireString(call.function.arguments, 'tool_calls.function.arguments') };
        });
        if (message.content === undefined && toolCalls.length === 0) throw invalid(`${where} must have content or tool_calls`);
        const text = message.content === undefined ? '' : readContent(message.content, ['text', 'thinking'], where).text;
        turns.push({ role: 'assistant', text, images: [], toolCalls });
        break;
      }
      case 'tool': {
        allowOnly(message, ['role', 'tool_call_id', 'content']);
        if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') throw invalid(`${where}: tool message must have a tool_call_id`);
        const { text } = readContent(message.content, ['text', 'document'], where);
        turns.push({ role: 'tool', text, images: [], toolCalls: [], toolResult: text });
        break;
      }
      default:
        throw invalid(`${where}.role must be one of 'system', 'user', 'assistant', 'tool'`);
    }
  });

  return {
    system: system.join('\n') || undefined,
    turns,
    tools,
    toolChoice: body.tool_choice === 'REQUIRED' ? 'required' : body.tool_choice === 'NONE' ? 'none' : undefined,
    maxTokens: body.max_tokens as number | undefined,
    jsonSchema,
    // Cohere stops at them, cuts them from the text and says only STOP_SEQUENCE, never which one.
    stop: body.stop_sequences as string[] | undefined,
  };
}

const FINISH = { stop: 'COMPLETE', length: 'MAX_TOKENS', tool_calls: 'TOOL_CALL' } as const;
const finishOf = (answer: FakeAnswer): string => (answer.stopSequence === undefined ? FINISH[answer.finish] : 'STOP_SEQUENCE');

function usageOf(answer: FakeAnswer) {
  const { input, output, cached } = answer.usage;
  return {
    billed_units: { input_tokens: input, output_tokens: output },
    tokens: { input_tokens: input + TEMPLATE_TOKENS, output_tokens: output + 2 },
    cached_tokens: cached > 0 ? TEMPLATE_TOKENS + cached : 0,
  };
}

/** What Cohere's models write before calling tools. */
const toolPlan = (answer: FakeAnswer): string => `I will use ${answer.toolCalls.map((c) => c.name).join(' and ')}.`;

async function handleChat(body: Json, res: ServerResponse): Promise<void> {
  const request = decodeChat(body);
  if (!CHAT_MODELS.has(body.model as string)) {
    throw new Rejection(404, `model '${String(body.model)}' not found, make sure the correct model ID was used and that you have access to the model.`);
  }
  const faults = faultsOf(request);
  if (faults.has('hang')) return new Promise(() => undefined);
  if (faults.has('fail-500')) return sendError(res, 500, 'internal server error, this has been reported to our developers');
  if (faults.has('fail-503')) return sendError(res, 503, 'service unavailable, please try again later');
  if (faults.has('rate-limit')) return sendError(res, 429, 'You are using a Trial key, which is limited to 20 API calls / minute.', { 'retry-after': '7' });
  if (faults.has('bad-request')) return sendError(res, 400, 'invalid request: temperature must be a non-negative number');
  if (faults.has('not-json')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return void res.end('<html>oops</html>');
  }

  const answer = fakeAnswer(request);
  const id = randomUUID();
  const calls = answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  if (body.stream !== true) {
    const message: Json = { role: 'assistant' };
    if (calls.length > 0) Object.assign(message, { tool_plan: toolPlan(answer), tool_calls: calls });
    else message.content = [{ type: 'text', text: answer.text ?? '' }];
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ id, message, finish_reason: finishOf(answer), usage: usageOf(answer) }));
  }

  const slow = faults.has('slow');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: Json): void => void res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
  send({ id, type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } });
  if (calls.length === 0) {
    send({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } });
    for (const [i, piece] of pieces(answer.text ?? '').entries()) {
      if (slow) await sleep(50);
      send({ type: 'content-delta', index: 0, delta: { message: { content: { text: piece } } } });
      if (faults.has('reset') && i === 1) {
        await sleep(20);
        return void res.socket?.destroy();
      }
      if (faults.has('midstream-error') && i === 1) {
        send({ type: 'message-end', delta: { error: 'internal server error, this has been reported to our developers', finish_reason: 'ERROR' } });
        return void res.end();
      }
    }
    send({ type: 'content-end', index: 0 });
  } else {
    for (const piece of pieces(toolPlan(answer))) send({ type: 'tool-plan-delta', delta: { message: { tool_plan: piece } } });
    for (const [index, call] of calls.entries()) {
      send({ type: 'tool-call-start', index, delta: { message: { tool_calls: { ...call, function: { name: call.function.name, arguments: '' } } } } });
      for (const piece of pieces(call.function.arguments, 8)) {
        send({ type: 'tool-call-delta', index, delta: { message: { tool_calls: { function: { arguments: piece } } } } });
      }
      send({ type: 'tool-call-end', index });
    }
  }
  const end: Json = { finish_reason: finishOf(answer) };
  if (!faults.has('no-usage')) end.usage = usageOf(answer);
  send({ type: 'message-end', delta: end });
  res.end();
}

const INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering', 'image'];
const EMBEDDING_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'];

/** Deterministic vectors: element i of text n is (n + 1) / (i + 2), `output_dimension` long (default 8). */
function handleEmbed(body: Json, res: ServerResponse): void {
  allowOnly(body, ['model', 'texts', 'images', 'inputs', 'input_type', 'embedding_types', 'output_dimension', 'max_tokens', 'truncate']);
  if (typeof body.model !== 'string') throw invalid('model must be specified');
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.length === 0 || texts.length > 96 || !texts.every((t) => typeof t === 'string')) {
    throw invalid('texts must be a list of 1 to 96 strings');
  }
  if (!INPUT_TYPES.includes(body.input_type as string)) throw invalid(`input_type must be one of ${INPUT_TYPES.join(', ')}`);
  const types = body.embedding_types;
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => EMBEDDING_TYPES.includes(t as string))) {
    throw invalid(`embedding_types must be a list of ${EMBEDDING_TYPES.join(', ')}`);
  }
  if (body.output_dimension !== undefined && (body.model !== 'embed-v4.0' || ![256, 512, 1024, 1536].includes(body.output_dimension as number))) {
    throw invalid('output_dimension must be one of 256, 512, 1024, 1536, and is only supported by embed-v4.0');
  }
  if (!EMBED_MODELS.has(body.model)) {
    throw new Rejection(404, `model '${body.model}' not found, make sure the correct model ID was used and that you have access to the model.`);
  }
  const dims = (body.output_dimension as number | undefined) ?? 8;
  const vectors = texts.map((_, n) => Array.from({ length: dims }, (_, i) => Math.fround((n + 1) / (i + 2))));
  const embeddings = Object.fromEntries(types.map((t) => [t, t === 'float' ? vectors : vectors.map((v) => v.map(() => 0))]));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    id: randomUUID(),
    texts,
    embeddings,
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: JSON.stringify(texts).length >> 2 } },
    response_type: 'embeddings_by_type',
  }));
}

export async function startFakeCohere(): Promise<FakeCohere> {
  const requests: FakeCohere['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const auth = /^bearer\s+(.*)$/i.exec(req.headers.authorization ?? '');
      if (!auth || auth[1].trim() === '') return sendError(res, 401, 'no api key supplied');
      if (auth[1] !== FAKE_COHERE_KEY) return sendError(res, 401, 'invalid api token');
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendError(res, 400, 'invalid request: unable to parse the request body as JSON');
      }
      if (!isObject(body)) return sendError(res, 400, 'invalid request: the request body must be a JSON object');
      requests.push({ path, headers: req.headers, body });
      const handle = (): Promise<void> | void => {
        if (req.method === 'POST' && path === '/v2/chat') return handleChat(body, res);
        if (req.method === 'POST' && path === '/v2/embed') return handleEmbed(body, res);
        sendError(res, 404, 'Not Found');
      };
      Promise.resolve()
        .then(handle)
        .catch((error: unknown) => {
          if (error instanceof Rejection && !res.headersSent) sendError(res, error.status, error.message);
          else res.destroy(error as Error);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
