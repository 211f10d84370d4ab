import { ApiError } from '../core/errors.js';
import type { SizeRequest } from '../core/images.js';
import { asObject, parseModelField } from './body-fields.js';
import { parseImagePrompt } from './image-prompt.js';

/** OpenAI's `POST /images/generations` body. */
export interface ImageRequest {
  model: string;
  prompt: string;
  n: number;
  size: SizeRequest;
  /** `url` (served by the Cloud store) or `b64_json`; undefined takes the model's default. */
  responseFormat: 'url' | 'b64_json' | undefined;
  /** OpenAI image parameters passed on to upstreams that take them. */
  extra: Record<string, unknown>;
}

const EXTRA = ['quality', 'style', 'background', 'moderation', 'output_compression', 'output_format', 'user'];

function parseSize(value: unknown): SizeRequest {
  if (value === undefined || value === null || value === 'auto') return { kind: 'auto' };
  const match = typeof value === 'string' ? /^(\d{2,5})x(\d{2,5})$/.exec(value) : null;
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 64 || height < 64 || width > 4096 || height > 4096) {
    throw new ApiError('invalid_request', `Invalid 'size': ${JSON.stringify(value).slice(0, 40)}. Expected "auto" or "WIDTHxHEIGHT" with sides from 64 to 4096.`, { param: 'size' });
  }
  return { kind: 'exact', size: { width, height } };
}

export function parseImageRequest(raw: unknown): ImageRequest {
  const body = asObject(raw);
  const model = parseModelField(body);
  const prompt = parseImagePrompt(body.prompt);
  const n = body.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10) {
    throw new ApiError('invalid_request', `Invalid 'n': ${JSON.stringify(n).slice(0, 20)}. Expected an integer from 1 to 10.`, { param: 'n' });
  }
  const format = body.response_format ?? undefined;
  if (format !== undefined && format !== 'url' && format !== 'b64_json') {
    throw new ApiError('invalid_request', `Invalid 'response_format': ${JSON.stringify(format).slice(0, 40)}. Expected 'url' or 'b64_json'.`, { param: 'response_format' });
  }
  const extra = Object.fromEntries(EXTRA.filter((k) => body[k] !== undefined && body[k] !== null).map((k) => [k, body[k]]));
  return { model, prompt, n, size: parseSize(body.size), responseFormat: format, extra };
}
