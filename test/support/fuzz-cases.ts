import { headerValue, hostileKey, hostileString, type MutationRates, mutate, rawBody, urlComponent, withHugeKeyCount } from './fuzz-hostile.js';
import { FUZZ_MODELS } from './fuzz-models.js';
import type { Rng } from './fuzz-random.js';

/**
 * One fuzz request per call: a route a stranger (or the operator) can reach, a valid request for it,
 * then hostile text, keys and types mixed in, hostile header values, and sometimes a client that
 * leaves early. Everything comes from the request's own Rng, so a case is replayed from its seed
 * and index alone.
 */
export type ErrorShape = 'openai' | 'cloud';
export type KeyRole = 'none' | 'public' | 'limited' | 'free' | 'unknown' | 'admin';

export interface FuzzCase {
  /** The route as the report counts it, e.g. `POST /v1/chat/completions stream`. */
  route: string;
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS' | 'HEAD';
  /** Path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked, in pieces of this many bytes, rather than with a Content-Length. */
  chunkSize?: number;
  errorShape: ErrorShape;
  stream: boolean;
  /** Statuses of 500 and over this case may answer on purpose, with the error code each must carry. */
  allowed5xx: ReadonlyArray<{ status: number; code: string }>;
  /** The client goes away: after some milliseconds, or once the first bytes of the body arrived. */
  abort?: { afterMs: number } | { afterFirstChunk: true };
  key: KeyRole;
  /** The route takes no key (a CORS preflight, /health): any key, even an unknown one, is ignored. */
  keyless?: boolean;
  /** The answer's Content-Disposition may carry the file name's UTF-8 bytes (Cloud downloads without `mode`). */
  rawDisposition?: boolean;
  /** How the body was made, for the failure message. */
  mutation: string;
}

export interface FuzzTargets {
  keys: { limited: string; free: string };
  adminKey: string;
  /** Ids of Cloud files uploaded before the run. */
  files: readonly string[];
}

/** A 1x1 PNG, for image inputs. */
const PNG_BASE64 = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d5f1a10000000049454e44ae426082', 'hex').toString('base64');
const RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];
/** The documented answer for a model whose provider is not configured. */
const DOWN = [{ status: 503, code: 'provider_not_configured' }] as const;

/**
 * Chunks of `wanted` bytes, but at most 4,096 of them: a megabyte in one-byte chunks costs the
 * server ~400 MB (BUG-7, reproduced on its own) and the client seconds of CPU, which would drown
 * the rest of the run.
 */
function chunkSize(wanted: number, body: Buffer): number {
  return Math.max(wanted, Math.ceil(body.length / 4096));
}

const text = (rng: Rng): string => (rng.chance(0.75) ? hostileString(rng) : 'hello there');

/** A model for a route: mostly its own kind's, sometimes another kind's, an unknown or hostile id. */
function modelFor(rng: Rng, kind: keyof typeof FUZZ_MODELS): string {
  const own = FUZZ_MODELS[kind];
  return rng.weighted<() => string>([
    [() => (typeof own === 'string' ? own : rng.pick(own)), 85],
    [() => rng.pick([...FUZZ_MODELS.chat, ...FUZZ_MODELS.embedding, ...FUZZ_MODELS.image, ...FUZZ_MODELS.speech]), 5],
    [() => rng.pick(['no-such-model', 'gpt-4o-mini ', 'FZ-OPENAI', 'fz-openai\u0000', 'fz-openai/../fz-gemini']), 3],
    [() => hostileString(rng), 7],
  ])();
}

/** JSON schemas a converter must survive: hostile names, self-references, deep nesting, unions. */
function schema(rng: Rng): Record<string, unknown> {
  return rng.weighted<() => Record<string, unknown>>([
    [() => ({ type: 'object', properties: { [hostileKey(rng)]: { type: 'string', enum: [text(rng)], description: text(rng) } }, required: [hostileKey(rng)] }), 40],
    [() => ({ type: 'object', properties: { self: { $ref: '#' } }, $defs: { [hostileKey(rng)]: { $ref: '#/$defs/x' } } }), 15],
    [() => {
      let inner: Record<string, unknown> = { type: 'string' };
      for (let i = rng.int(20, 200); i > 0; i--) inner = { type: 'object', properties: { a: inner } };
      return inner;
    }, 15],
    [() => ({ type: ['object', 'null'], anyOf: [{ type: 'string' }, { type: 'number', minimum: text(rng) }], items: { type: 'array', items: {} } }), 15],
    [() => ({ type: 'object', properties: {}, additionalProperties: { [hostileKey(rng)]: text(rng) }, format: text(rng) }), 15],
  ])();
}

/** A conversation whose roles come in any order: translators have rules about alternation and tool turns. */
function oddMessages(rng: Rng): Array<Record<string, unknown>> {
  return Array.from({ length: rng.int(1, 6) }, () => {
    const role = rng.pick(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
    const message: Record<string, unknown> = { role, content: rng.pick<unknown>([text(rng), '', null, [], [{ type: 'text', text: '' }], [{ type: rng.pick(['input_audio', 'file', 'refusal', hostileString(rng)]) }]]) };
    if (role === 'tool') message.tool_call_id = rng.chance(0.5) ? 'call_1' : hostileString(rng);
    if (role === 'function') message.name = hostileString(rng);
    if (role === 'assistant' && rng.chance(0.4)) message.tool_calls = [{ id: hostileString(rng), type: 'function', function: { name: hostileString(rng), arguments: rng.pick(['{', '[]', 'null', '{"a":1}', hostileString(rng)]) } }];
    return message;
  });
}

function chatBody(rng: Rng, model: string, stream: boolean): Record<string, unknown> {
  if (rng.chance(0.12)) return { model, messages: oddMessages(rng), ...(stream && { stream }) };
  const messages: Array<Record<string, unknown>> = [];
  if (rng.chance(0.3)) messages.push({ role: rng.pick(['system', 'developer']), content: text(rng) });
  if (rng.chance(0.25)) {
    const id = rng.chance(0.5) ? 'call_1' : hostileString(rng);
    messages.push({ role: 'user', content: text(rng) });
    messages.push({ role: 'assistant', content: rng.chance(0.5) ? null : text(rng), tool_calls: [{ id, type: 'function', function: { name: rng.chance(0.5) ? 'get_weather' : hostileString(rng), arguments: rng.chance(0.5) ? '{"city":"Paris"}' : hostileString(rng) } }] });
    messages.push({ role: 'tool', tool_call_id: id, content: text(rng) });
  }
  const parts: unknown[] = [{ type: 'text', text: text(rng) }];
  if (rng.chance(0.2)) parts.push({ type: 'image_url', image_url: { url: rng.chance(0.8) ? `data:image/png;base64,${PNG_BASE64}` : `data:${hostileString(rng)};base64,${PNG_BASE64}` } });
  messages.push({ role: 'user', content: rng.chance(0.5) ? text(rng) : parts, ...(rng.chance(0.1) && { name: hostileString(rng) }) });
  const body: Record<string, unknown> = { model, messages };
  if (stream || rng.chance(0.1)) body.stream = stream;
  if (stream && rng.chance(0.5)) body.stream_options = { include_usage: true };
  if (rng.chance(0.25)) {
    const property = rng.chance(0.5) ? 'city' : hostileKey(rng);
    body.tools = [{ type: 'function', function: { name: rng.chance(0.5) ? 'get_weather' : hostileString(rng), description: text(rng), parameters: rng.chance(0.6) ? { type: 'object', properties: { [property]: { type: 'string', description: text(rng) } }, required: [property] } : schema(rng) } }];
    if (rng.chance(0.5)) body.tool_choice = rng.pick<unknown>(['auto', 'none', 'required', hostileString(rng), { type: 'function', function: { name: 'get_weather' } }]);
  }
  if (rng.chance(0.15)) {
    body.response_format = rng.chance(0.3)
      ? { type: 'json_object' }
      : { type: 'json_schema', json_schema: { name: rng.chance(0.5) ? 'answer' : hostileString(rng), ...(rng.chance(0.3) && { strict: true }), schema: schema(rng) } };
  }
  if (rng.chance(0.15)) body.stop = rng.chance(0.5) ? text(rng) : [text(rng), text(rng)];
  if (rng.chance(0.2)) body.max_tokens = rng.int(1, 64);
  if (rng.chance(0.1)) body.user = text(rng);
  if (rng.chance(0.1)) body.temperature = rng.pick([0, 0.7, 2]);
  if (rng.chance(0.05)) body.logit_bias = { [hostileKey(rng)]: 1 };
  if (rng.chance(0.05)) body.n = rng.int(2, 4);
  if (rng.chance(0.03)) body.max_completion_tokens = rng.pick([0, -1, 1, 2 ** 31]);
  return body;
}

interface JsonRoute {
  route: string;
  paths: readonly string[];
  base: (rng: Rng) => { body: Record<string, unknown>; stream: boolean };
}

const JSON_ROUTES: ReadonlyArray<readonly [JsonRoute, number]> = [
  [{
    route: 'POST chat/completions',
    paths: ['/v1/chat/completions', '/ai/openai/chat/completions', '/ai/openai//chat/completions'],
    base: (rng) => {
      const model = rng.chance(0.03) ? FUZZ_MODELS.down : modelFor(rng, 'chat');
      const stream = rng.chance(0.4);
      return { body: chatBody(rng, model, stream), stream };
    },
  }, 34],
  [{
    route: 'POST /ai/v2',
    paths: ['/ai/v2'],
    base: (rng) => {
      const model = rng.chance(0.03) ? FUZZ_MODELS.down : modelFor(rng, 'chat');
      const stream = rng.chance(0.3);
      const { model: _model, ...request } = chatBody(rng, model, stream);
      return { body: { model, request, ...(rng.chance(0.3) && { meta: { [hostileKey(rng)]: text(rng) } }) }, stream };
    },
  }, 12],
  [{
    route: 'POST /v1/embeddings',
    paths: ['/v1/embeddings', '/ai/openai/embeddings'],
    base: (rng) => {
      const model = modelFor(rng, 'embedding');
      const input = rng.weighted<() => unknown>([
        [() => text(rng), 60],
        [() => Array.from({ length: rng.int(1, 4) }, () => text(rng)), 30],
        [() => [rng.int(0, 100_000), rng.int(-5, 5)], 5],
        [() => [[1, 2, 3], [rng.int(0, 2 ** 31)]], 5],
      ])();
      return { body: { model, input, ...(rng.chance(0.3) && { encoding_format: rng.pick(['float', 'base64']) }), ...(rng.chance(0.1) && { dimensions: rng.int(1, 16) }) }, stream: false };
    },
  }, 8],
  [{
    route: 'POST /v1/images/generations',
    paths: ['/v1/images/generations', '/ai/openai/images/generations'],
    base: (rng) => {
      const model = modelFor(rng, 'image');
      const body: Record<string, unknown> = { model, prompt: text(rng) };
      if (rng.chance(0.3)) body.size = rng.pick(['1024x1024', 'auto', '512x512', '1792x1024', '64x4096']);
      if (rng.chance(0.3)) body.response_format = rng.pick(['b64_json', 'url']);
      if (rng.chance(0.1)) body.n = 2;
      return { body, stream: false };
    },
  }, 4],
  [{
    route: 'POST /ai/imagen',
    paths: ['/ai/imagen'],
    base: (rng) => {
      const model = modelFor(rng, 'image');
      const body: Record<string, unknown> = { model, prompt: text(rng) };
      if (rng.chance(0.5)) body.ratio = rng.pick(RATIOS);
      if (rng.chance(0.15)) body.files = [PNG_BASE64];
      return { body, stream: false };
    },
  }, 4],
  [{
    route: 'POST /ai/tts',
    paths: ['/ai/tts'],
    base: (rng) => {
      const model = modelFor(rng, 'speech');
      const body: Record<string, unknown> = { model, text: text(rng) };
      if (rng.chance(0.6)) body.lang = rng.chance(0.7) ? rng.pick(['en', 'ru', 'de']) : hostileString(rng);
      if (rng.chance(0.3)) body.voice = rng.chance(0.5) ? 'alloy' : hostileString(rng);
      return { body, stream: false };
    },
  }, 5],
  [{
    route: 'POST /v1/audio/speech',
    paths: ['/v1/audio/speech', '/ai/openai/audio/speech'],
    base: (rng) => {
      const model = modelFor(rng, 'speech');
      const body: Record<string, unknown> = { model, input: text(rng), voice: rng.chance(0.6) ? 'alloy' : hostileString(rng) };
      if (rng.chance(0.3)) body.response_format = rng.pick(['mp3', 'wav', 'opus', 'flac', 'aac', 'pcm']);
      if (rng.chance(0.2)) body.speed = rng.pick([0.25, 1, 4]);
      return { body, stream: false };
    },
  }, 4],
];

/** The key a request presents, in one of the forms clients use. */
function presentKey(rng: Rng, targets: FuzzTargets): { headers: Record<string, string>; key: KeyRole } {
  const role = rng.weighted<KeyRole>([['none', 18], ['public', 14], ['limited', 20], ['free', 34], ['unknown', 14]]);
  if (role === 'none') return { headers: {}, key: role };
  let secret = role === 'public' ? 'openai' : role === 'limited' ? targets.keys.limited : role === 'free' ? targets.keys.free : '';
  if (role === 'unknown') secret = rng.chance(0.5) ? `sq-${headerValue(hostileString(rng), 512)}` : `${headerValue(hostileString(rng), 512)}zz`;
  const form = rng.weighted([['bearer', 70], ['x-api-key', 12], ['api-key', 6], ['bare', 6], ['lower', 6]] as const);
  if (form === 'x-api-key' || form === 'api-key') return { headers: { [form]: secret }, key: role };
  return { headers: { authorization: form === 'bare' ? secret : `${form === 'lower' ? 'bearer' : 'Bearer'} ${secret}` }, key: role };
}

/** Headers a client could also have sent: a hostile request id and user agent. */
function extraHeaders(rng: Rng): Record<string, string> {
  const headers: Record<string, string> = {};
  if (rng.chance(0.3)) headers['x-request-id'] = headerValue(hostileString(rng), 1024);
  if (rng.chance(0.1)) headers['user-agent'] = headerValue(hostileString(rng), 1024);
  if (rng.chance(0.05)) headers['accept'] = headerValue(hostileString(rng), 256);
  return headers;
}

function contentType(rng: Rng): string | undefined {
  return rng.weighted<() => string | undefined>([
    [() => 'application/json', 70],
    [() => undefined, 8],
    [() => 'text/plain', 5],
    [() => 'application/json; charset=utf-8', 5],
    [() => 'application/x-www-form-urlencoded', 4],
    [() => headerValue(`application/json; ${hostileString(rng)}`, 256), 5],
    [() => 'multipart/form-data; boundary=x', 3],
  ])();
}

const RATES: Record<string, MutationRates> = {
  values: { string: 0.5, key: 0, type: 0, extraKey: 0 },
  keys: { string: 0, key: 0.3, type: 0, extraKey: 0.3 },
  types: { string: 0, key: 0, type: 0.15, extraKey: 0 },
  mixed: { string: 0.3, key: 0.1, type: 0.08, extraKey: 0.15 },
};

function jsonCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  const spec = rng.weighted(JSON_ROUTES);
  const { body: valid, stream } = spec.base(rng);
  const mutation = rng.weighted([['hostile-text', 33], ['values', 14], ['keys', 14], ['types', 14], ['mixed', 12], ['raw', 10], ['huge-keys', 2], ['too-large', 0.5]] as const);
  let body: Buffer;
  if (mutation === 'hostile-text') body = Buffer.from(JSON.stringify(valid));
  else if (mutation === 'raw') body = rawBody(rng, JSON.stringify(valid));
  else if (mutation === 'huge-keys') body = Buffer.from(JSON.stringify(withHugeKeyCount(rng, valid)));
  else if (mutation === 'too-large') body = Buffer.from(JSON.stringify({ ...valid, padding: 'x'.repeat(TOO_LARGE) }));
  else body = Buffer.from(JSON.stringify(mutate(rng, valid, RATES[mutation])));
  const auth = presentKey(rng, targets);
  const type = rng.chance(0.03) && body.length === 0 ? undefined : contentType(rng);
  const abort = stream ? (rng.chance(0.25) ? (rng.chance(0.5) ? { afterFirstChunk: true as const } : { afterMs: rng.int(0, 30) }) : undefined) : rng.chance(0.03) ? { afterMs: rng.int(0, 20) } : undefined;
  return {
    route: `${spec.route}${stream ? ' stream' : ''}`,
    method: 'POST',
    path: rng.pick(spec.paths),
    headers: { ...auth.headers, ...extraHeaders(rng), ...(type !== undefined && { 'content-type': type }) },
    body,
    chunkSize: rng.chance(0.1) ? chunkSize(rng.int(1, 512), body) : undefined,
    errorShape: 'openai',
    stream,
    // FUZZ_MODELS.down, or a hostile model that happens to name a catalog model whose provider is not configured.
    allowed5xx: DOWN,
    abort,
    key: auth.key,
    mutation,
  };
}

/** The server under fuzz takes bodies up to this (OPENSQ_BODY_LIMIT); `too-large` cases send more. */
export const FUZZ_BODY_LIMIT = 2 * 1024 * 1024;
const TOO_LARGE = FUZZ_BODY_LIMIT + 1024;

function query(rng: Rng, names: readonly string[]): string {
  const pairs: string[] = [];
  for (const name of names) if (rng.chance(0.6)) pairs.push(`${name}=${urlComponent(rng, rng.chance(0.8) ? hostileString(rng).slice(0, 3000) : '1')}`);
  if (rng.chance(0.3)) pairs.push(`${urlComponent(rng, hostileKey(rng).slice(0, 500))}=${urlComponent(rng, hostileString(rng).slice(0, 500))}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function getCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  const auth = presentKey(rng, targets);
  const base = { method: 'GET' as const, errorShape: 'openai' as const, stream: false, allowed5xx: [], key: auth.key, mutation: 'url' };
  if (rng.chance(0.5)) {
    return { ...base, route: 'GET /ai/models', path: `${rng.pick(['/ai/models', '/ai/openai/models', '/v1/models'])}${query(rng, ['q', 'type'])}`, headers: { ...auth.headers, ...extraHeaders(rng) } };
  }
  const id = rng.chance(0.3) ? rng.pick([...FUZZ_MODELS.chat, ...FUZZ_MODELS.image]) : hostileString(rng).slice(0, 4000);
  return { ...base, route: 'GET /v1/models/{id}', path: `${rng.pick(['/v1/models/', '/ai/openai/models/'])}${urlComponent(rng, id)}`, headers: { ...auth.headers, ...extraHeaders(rng) } };
}

/** A multipart body as browsers, curl and broken clients write it: hostile file and field names, part headers, frames. */
function multipart(rng: Rng): { body: Buffer; type: string; mutation: string } {
  const boundary = rng.chance(0.9) ? `----fuzz${rng.int(0, 1e9)}` : headerValue(`b${hostileString(rng)}`, 60).replace(/["\\;]/g, '');
  const parts: Buffer[] = [];
  const count = rng.int(0, 4);
  let hasFile = false;
  for (let i = 0; i < count; i++) {
    const isFile: boolean = !hasFile && (i === count - 1 || rng.chance(0.6));
    const name = isFile && rng.chance(0.8) ? 'file' : hostileKey(rng).slice(0, 300);
    const filename = rng.chance(0.85) ? hostileString(rng).slice(0, rng.chance(0.9) ? 300 : 5000) : undefined;
    const disposition = rng.weighted<() => string>([
      [() => `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`, 70],
      [() => `form-data; name="${name}"; filename*=UTF-8''${urlComponent(rng, filename ?? 'f')}`, 15],
      [() => `form-data; name=${name}; filename=${filename ?? ''}`, 10],
      [() => hostileString(rng).slice(0, 500), 5],
    ])();
    const partType = rng.weighted<() => string>([[() => 'text/plain', 50], [() => 'image/png', 20], [() => hostileString(rng).slice(0, 200), 30]])();
    const content = rng.chance(0.5) ? Buffer.from(hostileString(rng).slice(0, 4000), 'utf8') : Buffer.alloc(rng.int(0, 4096), rng.int(0, 255));
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${partType}\r\n\r\n`, 'utf8'), content, Buffer.from('\r\n'));
    hasFile ||= isFile;
  }
  const ending = rng.weighted([['closed', 85], ['unclosed', 8], ['garbage', 7]] as const);
  if (ending === 'closed') parts.push(Buffer.from(`--${boundary}--\r\n`));
  if (ending === 'garbage') parts.push(Buffer.from(hostileString(rng), 'utf8'));
  const type = rng.weighted<() => string>([
    [() => `multipart/form-data; boundary=${boundary}`, 80],
    [() => `multipart/form-data; boundary="${boundary}"`, 5],
    [() => 'multipart/form-data', 4],
    [() => headerValue(`multipart/form-data; boundary=${boundary}; ${hostileString(rng)}`, 512), 5],
    [() => 'application/json', 3],
    [() => headerValue(hostileString(rng), 256) || 'x/y', 3],
  ])();
  return { body: Buffer.concat(parts), type, mutation: `multipart:${count}-parts:${ending}` };
}

function cloudCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  const kind = rng.weighted([['upload', 50], ['download', 42], ['delete', 8]] as const);
  const base = { errorShape: 'cloud' as const, stream: false, allowed5xx: [] };
  if (kind === 'upload') {
    const auth = presentKey(rng, targets);
    const { body, type, mutation } = multipart(rng);
    const abort = rng.chance(0.03) ? { afterMs: rng.int(0, 10) } : undefined;
    const size = rng.chance(0.2) ? chunkSize(rng.int(1, 256), body) : undefined;
    return { ...base, route: 'POST /cloud/upload', method: 'POST', path: '/cloud/upload', headers: { ...auth.headers, ...extraHeaders(rng), 'content-type': type }, body, chunkSize: size, key: auth.key, abort, mutation };
  }
  const known = targets.files.length > 0 && rng.chance(0.7);
  const id = known ? rng.pick(targets.files) : hostileString(rng).slice(0, 2000);
  const headers: Record<string, string> = extraHeaders(rng);
  if (kind === 'delete') {
    // Never the owner key: the files stay for the rest of the run.
    headers.authorization = headerValue(hostileString(rng), 512) || 'x';
    const viaGet = rng.chance(0.5);
    return { ...base, route: 'DELETE /cloud/file/{id}', method: viaGet ? 'GET' : 'DELETE', path: `${viaGet ? '/cloud/delete/' : '/cloud/file/'}${known ? id : urlComponent(rng, id)}`, headers, key: 'unknown', mutation: known ? 'wrong-owner' : 'hostile-id' };
  }
  if (rng.chance(0.4)) headers.range = rng.pick(['bytes=0-10', 'bytes=-5', 'bytes=5-', 'bytes=1-0', 'bytes=0-1,2-3', 'items=0-1', 'bytes=99999999999999999999-', 'bytes=--1', headerValue(hostileString(rng), 200)]);
  const mode = rng.weighted<() => string | undefined>([[() => undefined, 50], [() => 'dl', 20], [() => 'view', 20], [() => urlComponent(rng, hostileString(rng).slice(0, 200)), 10]])();
  return {
    ...base,
    route: 'GET /cloud/file/{id}',
    method: 'GET',
    path: `/cloud/file/${known ? id : urlComponent(rng, id)}${mode === undefined ? '' : `?mode=${mode}`}`,
    headers,
    key: 'none',
    rawDisposition: mode === undefined || (mode !== 'dl' && mode !== 'view'),
    mutation: known ? 'known-file' : 'hostile-id',
  };
}

function adminCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  const asAdmin = rng.chance(0.85);
  const headers: Record<string, string> = { ...extraHeaders(rng), authorization: asAdmin ? `Bearer ${targets.adminKey}` : headerValue(`Bearer ${hostileString(rng)}`, 512) };
  const base = { errorShape: 'openai' as const, stream: false, allowed5xx: [], key: asAdmin ? ('admin' as const) : ('unknown' as const) };
  if (rng.chance(0.4)) {
    const valid: Record<string, unknown> = { name: hostileString(rng).slice(0, rng.chance(0.9) ? 200 : 5000) };
    if (rng.chance(0.3)) valid.allowed_models = [text(rng)];
    if (rng.chance(0.2)) valid.credits = rng.pick([0, 1, 1e308, -5]);
    const mutation = rng.weighted([['hostile-text', 50], ['mixed', 35], ['raw', 15]] as const);
    const body = mutation === 'hostile-text' ? JSON.stringify(valid) : mutation === 'raw' ? rawBody(rng, JSON.stringify(valid)) : JSON.stringify(mutate(rng, valid, RATES.mixed));
    return { ...base, route: 'POST /admin/keys', method: 'POST', path: '/admin/keys', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(body), mutation };
  }
  if (rng.chance(0.3)) {
    // What the run stored, read back: request rows and bodies, keys, totals by hostile model names.
    const [route, path] = rng.weighted<() => [string, string]>([
      [() => ['/admin/requests/{id}', `/admin/requests/${rng.chance(0.8) ? rng.int(1, 3000) : urlComponent(rng, hostileString(rng).slice(0, 300))}`], 50],
      [() => ['/admin/usage/summary', `/admin/usage/summary?group_by=${rng.pick(['key', 'user', 'model', 'day', urlComponent(rng, hostileString(rng).slice(0, 50))])}`], 10],
      [() => ['/admin/usage/errors', '/admin/usage/errors'], 5],
      [() => ['/admin/usage/series', `/admin/usage/series?bucket=${rng.pick(['hour', 'day'])}&group_by=${rng.pick(['model', 'provider', 'key', 'endpoint', 'tier'])}${rng.chance(0.5) ? `&tz=${urlComponent(rng, rng.pick(['Europe/Berlin', 'UTC', hostileString(rng).slice(0, 100)]))}` : ''}`], 10],
      [() => ['/admin/keys', '/admin/keys'], 5],
      [() => ['/admin/keys/{id}', `/admin/keys/${urlComponent(rng, hostileString(rng).slice(0, 200))}`], 5],
      [() => ['/admin/overview', '/admin/overview'], 5],
      [() => ['/admin/providers', '/admin/providers'], 5],
      [() => ['/admin/users', '/admin/users'], 5],
    ])();
    return { ...base, route: `GET ${route}`, method: 'GET', path, headers, mutation: 'read-back' };
  }
  const which = rng.pick([
    ['/admin/requests', ['q', 'key_id', 'model', 'provider', 'status', 'endpoint', 'before', 'limit', 'from']],
    ['/admin/keys/search', ['q', 'status', 'limit', 'offset']],
    ['/admin/usage', ['key_id', 'model', 'user', 'limit']],
  ] as const);
  return { ...base, route: `GET ${which[0]}`, method: 'GET', path: `${which[0]}${query(rng, which[1])}`, headers, mutation: 'query' };
}

const EVERY_PATH = ['/v1/chat/completions', '/ai/v2', '/v1/embeddings', '/ai/imagen', '/ai/tts', '/v1/audio/speech', '/v1/images/generations', '/ai/models', '/v1/models/fz-openai', '/cloud/upload', '/cloud/file/x', '/admin/keys', '/health'];

/** A route called with a method it does not take, or a CORS preflight with hostile request headers. */
function methodCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  const path = rng.pick(EVERY_PATH);
  const auth = presentKey(rng, targets);
  const method = rng.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const);
  const headers: Record<string, string> = { ...auth.headers, ...extraHeaders(rng) };
  if (method === 'OPTIONS') {
    headers.origin = rng.chance(0.5) ? 'https://example.com' : headerValue(hostileString(rng), 512) || 'null';
    headers['access-control-request-method'] = rng.pick(['POST', 'GET', headerValue(hostileString(rng), 64) || 'X']);
    if (rng.chance(0.7)) headers['access-control-request-headers'] = rng.chance(0.4) ? 'authorization, content-type' : headerValue(hostileString(rng), 1024) || 'x';
  }
  const body = method === 'PUT' || method === 'PATCH' ? Buffer.from(JSON.stringify({ model: hostileString(rng) })) : undefined;
  const keyless = method === 'OPTIONS' || path === '/health';
  return { route: `${method} (any route)`, method, path, headers, body, errorShape: path.startsWith('/cloud/') ? 'cloud' : 'openai', stream: false, allowed5xx: [], key: auth.key, keyless, mutation: 'method' };
}

/** Request `index` of a run: which route, and how it is made hostile. */
export function fuzzCase(rng: Rng, targets: FuzzTargets): FuzzCase {
  return rng.weighted<() => FuzzCase>([
    [() => jsonCase(rng, targets), 73],
    [() => getCase(rng, targets), 8],
    [() => cloudCase(rng, targets), 12],
    [() => adminCase(rng, targets), 5],
    [() => methodCase(rng, targets), 2],
  ])();
}
