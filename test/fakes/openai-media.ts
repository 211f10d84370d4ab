import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { fakeMp3, fakeWav } from './fake-audio.js';
import { requestFields } from './openai-spec.js';
import { makePng } from './png.js';

/**
 * The images and speech endpoints of the fake OpenAI upstream, in OpenAI's wire format, plus
 * Together's flavour of `/images/generations` for `black-forest-labs/*` models (width and height,
 * `response_format: "base64"`). Images are real PNGs of the size asked for. Prompt markers:
 * #fail-500, #rate-limit (429, Retry-After: 7), #moderated (OpenAI's content policy 400);
 * #slow-headers (answers after 3 s), #reset-body (the connection drops mid-body); #answer-url
 * (a `url` answer even when b64_json was asked for), with #foreign-url (the file on another host,
 * 127.0.0.2), #localhost-url (named `localhost`) or #file-echo-key-<status> (the file fails with
 * that status). Speech takes #fail-500, #slow-headers, #reset-body and #huge-body (65 MiB).
 */
export interface MediaContext {
  /** The fake's base URL without /v1, for `url` answers. */
  origin: string;
  /** The same fake on another host (127.0.0.2), for files a provider hands out elsewhere. */
  foreignOrigin: string;
  /** Images handed out by URL, by file name. */
  files: Map<string, Buffer>;
}

type Send = (res: ServerResponse, status: number, message: string, type: string, code: string | null, param?: string | null, headers?: Record<string, string>) => void;

const OPENAI_SIZES: Record<string, string[]> = {
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'gpt-image-1': ['auto', '1024x1024', '1536x1024', '1024x1536'],
};
const TOGETHER_FIELDS = new Set(['model', 'prompt', 'width', 'height', 'n', 'steps', 'seed', 'negative_prompt', 'response_format', 'output_format', 'image_url', 'disable_safety_checker']);
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/opus', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };
let counter = 0;

/** Headers and the start of a body, then the connection drops. */
function resetMidBody(res: ServerResponse, type: string): void {
  res.writeHead(200, { 'content-type': type, 'content-length': '100000' });
  res.write(type === 'application/json' ? '{"created":1750000000,"data":[{"b64_json":"iVBORw0KGgo' : Buffer.alloc(1000));
  setTimeout(() => res.socket?.destroy(), 20);
}

/** `bytes` of audio in 1 MiB writes, waiting for the reader. */
async function hugeBody(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'audio/mpeg' });
  const chunk = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < bytes && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await new Promise((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
  }
  res.end();
}

function faults(prompt: unknown, res: ServerResponse, sendError: Send): boolean {
  const text = String(prompt ?? '');
  if (text.includes('#reset-body')) resetMidBody(res, 'application/json');
  else if (text.includes('#fail-500')) sendError(res, 500, 'The server had an error while processing your request.', 'server_error', null);
  else if (text.includes('#rate-limit')) sendError(res, 429, 'Rate limit reached for images per minute.', 'requests', 'rate_limit_exceeded', null, { 'retry-after': '7' });
  else if (text.includes('#moderated')) sendError(res, 400, 'Your request was rejected as a result of our safety system.', 'image_generation_user_error', 'content_policy_violation');
  else return false;
  return true;
}

/** Where a `url` answer points, by prompt marker. */
function fileUrl(ctx: MediaContext, prompt: string, name: string): string {
  const echo = /#file-echo-key-(\d{3})/.exec(prompt);
  const file = echo ? `echo-${echo[1]}-${name}` : name;
  if (prompt.includes('#foreign-url')) return `${ctx.foreignOrigin}/files/${file}`;
  if (prompt.includes('#localhost-url')) return `${ctx.origin.replace('127.0.0.1', 'localhost')}/files/${file}`;
  return `${ctx.origin}/files/${file}`;
}

function imageItems(ctx: MediaContext, width: number, height: number, n: number, asUrl: boolean, prompt = ''): Array<Record<string, unknown>> {
  return Array.from({ length: n }, () => {
    const png = makePng(width, height);
    if (!asUrl) return { b64_json: png.toString('base64') };
    const name = `img-${++counter}.png`;
    ctx.files.set(name, png);
    return { url: fileUrl(ctx, prompt, name) };
  });
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function handleImageGeneration(body: Record<string, unknown>, res: ServerResponse, ctx: MediaContext, sendError: Send): void {
  const model = String(body.model ?? 'dall-e-2');
  if (typeof body.prompt !== 'string' || body.prompt === '') return sendError(res, 400, "Missing required parameter: 'prompt'.", 'invalid_request_error', 'missing_required_parameter', 'prompt');
  if (body.prompt.includes('#slow-headers')) return void setTimeout(() => handleImageGeneration({ ...body, prompt: String(body.prompt).replace('#slow-headers', '') }, res, ctx, sendError), 3000);
  if (model.startsWith('black-forest-labs/')) return together(body, res, ctx, sendError);
  const allowed = requestFields('CreateImageRequest');
  for (const key of Object.keys(body)) if (!allowed.has(key)) return sendError(res, 400, `Unknown parameter: '${key}'.`, 'invalid_request_error', 'unknown_parameter', key);
  const sizes = OPENAI_SIZES[model];
  if (!sizes) return sendError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  const size = String(body.size ?? (model === 'gpt-image-1' ? 'auto' : '1024x1024'));
  if (!sizes.includes(size)) return sendError(res, 400, `Invalid value: '${size}'. Supported values are: ${sizes.map((s) => `'${s}'`).join(', ')}.`, 'invalid_request_error', 'invalid_value', 'size');
  const n = Number(body.n ?? 1);
  if (model === 'dall-e-3' && n !== 1) return sendError(res, 400, 'You must provide n=1 for this model.', 'invalid_request_error', null, 'n');
  if (faults(body.prompt, res, sendError)) return;
  const [width, height] = (size === 'auto' ? '1024x1024' : size).split('x').map(Number);
  const asUrl = (body.response_format === 'url' && model !== 'gpt-image-1') || body.prompt.includes('#answer-url');
  const data = imageItems(ctx, width, height, n, asUrl, body.prompt);
  if (model === 'dall-e-3') for (const item of data) item.revised_prompt = `A vivid rendering of: ${String(body.prompt)}`;
  json(res, { created: 1_750_000_000, data, ...(model === 'gpt-image-1' && { usage: { input_tokens: 10, output_tokens: 1056, total_tokens: 1066, input_tokens_details: { text_tokens: 10, image_tokens: 0 } } }) });
}

function together(body: Record<string, unknown>, res: ServerResponse, ctx: MediaContext, sendError: Send): void {
  for (const key of Object.keys(body)) if (!TOGETHER_FIELDS.has(key)) return sendError(res, 400, `Unknown parameter: '${key}'.`, 'invalid_request_error', null, key);
  const width = Number(body.width ?? 1024);
  const height = Number(body.height ?? 1024);
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v % 16 !== 0 || v < 256 || v > 1792) return sendError(res, 400, `${name} must be a multiple of 16 from 256 to 1792`, 'invalid_request_error', null, name);
  }
  const n = Number(body.n ?? 1);
  if (n < 1 || n > 4) return sendError(res, 400, 'n must be from 1 to 4', 'invalid_request_error', null, 'n');
  if (body.response_format !== undefined && body.response_format !== 'base64' && body.response_format !== 'url') {
    return sendError(res, 400, "response_format must be 'base64' or 'url'", 'invalid_request_error', null, 'response_format');
  }
  if (faults(body.prompt, res, sendError)) return;
  const data = imageItems(ctx, width, height, n, body.response_format !== 'base64').map((item, index) => ({ index, ...item, timings: { inference: 0.4 } }));
  json(res, { id: `oHpD53L-${++counter}-SEA`, model: body.model, object: 'list', data });
}

export interface EditRequest {
  fields: Record<string, string>;
  images: Array<{ field: string; mediaType: string; bytes: number }>;
}

/** `/images/edits`: multipart with `image[]` files (gpt-image-1) answered like generations. */
export function parseEditRequest(headers: IncomingHttpHeaders, raw: Buffer): Promise<EditRequest> {
  return new Promise((resolve, reject) => {
    const edit: EditRequest = { fields: {}, images: [] };
    const parser = busboy({ headers });
    parser.on('field', (name, value) => (edit.fields[name] = value));
    parser.on('file', (field, stream, info) => {
      let bytes = 0;
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => edit.images.push({ field, mediaType: info.mimeType, bytes }));
    });
    parser.on('close', () => resolve(edit));
    parser.on('error', reject);
    parser.end(raw);
  });
}

export function handleImageEdit(edit: EditRequest, res: ServerResponse, ctx: MediaContext, sendError: Send): void {
  const model = edit.fields.model ?? 'dall-e-2';
  if (model !== 'gpt-image-1') return sendError(res, 400, `Invalid value for 'model': ${model} does not support edits with several images.`, 'invalid_request_error', null, 'model');
  if (edit.images.length === 0) return sendError(res, 400, "Missing required parameter: 'image'.", 'invalid_request_error', 'missing_required_parameter', 'image');
  const size = edit.fields.size ?? 'auto';
  if (!OPENAI_SIZES['gpt-image-1'].includes(size)) return sendError(res, 400, `Invalid value: '${size}'.`, 'invalid_request_error', 'invalid_value', 'size');
  if (faults(edit.fields.prompt, res, sendError)) return;
  const [width, height] = (size === 'auto' ? '1024x1024' : size).split('x').map(Number);
  json(res, { created: 1_750_000_000, data: imageItems(ctx, width, height, Number(edit.fields.n ?? 1), false) });
}

export function handleSpeech(body: Record<string, unknown>, res: ServerResponse, sendError: Send): void {
  const allowed = requestFields('CreateSpeechRequest');
  for (const key of Object.keys(body)) if (!allowed.has(key)) return sendError(res, 400, `Unknown parameter: '${key}'.`, 'invalid_request_error', 'unknown_parameter', key);
  const model = String(body.model);
  if (!['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'].includes(model)) return sendError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  const input = body.input;
  if (typeof input !== 'string' || input === '') return sendError(res, 400, "Missing required parameter: 'input'.", 'invalid_request_error', 'missing_required_parameter', 'input');
  if (input.length > 4096) return sendError(res, 400, `Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string with length ${input.length} instead.`, 'invalid_request_error', 'string_above_max_length', 'input');
  if (!VOICES.includes(String(body.voice))) return sendError(res, 400, `Invalid value for 'voice': ${String(body.voice)}.`, 'invalid_request_error', 'invalid_value', 'voice');
  const format = String(body.response_format ?? 'mp3');
  if (!AUDIO_TYPES[format]) return sendError(res, 400, `Invalid value for 'response_format': ${format}.`, 'invalid_request_error', 'invalid_value', 'response_format');
  if (body.instructions !== undefined && model !== 'gpt-4o-mini-tts') return sendError(res, 400, 'Instructions are not supported for this model.', 'invalid_request_error', null, 'instructions');
  if (input.includes('#fail-500')) return sendError(res, 500, 'The server had an error while processing your request.', 'server_error', null);
  if (input.includes('#slow-headers')) return void setTimeout(() => handleSpeech({ ...body, input: input.replace('#slow-headers', '') }, res, sendError), 3000);
  if (input.includes('#reset-body')) return resetMidBody(res, AUDIO_TYPES[format]);
  if (input.includes('#huge-body')) return void hugeBody(res, 65 * 1024 * 1024 + 1);
  const audio = format === 'mp3' ? fakeMp3(input) : format === 'wav' ? fakeWav() : Buffer.from(`${format}:${input}`);
  res.writeHead(200, { 'content-type': AUDIO_TYPES[format], 'transfer-encoding': 'chunked' });
  res.end(audio);
}
