import { ApiError } from '../../core/errors.js';
import { allowsPrivateAddresses, isPrivateIPLiteral, publicOnlyDispatcher, refusedAsPrivate } from './public-only-dispatcher.js';
import { requestWith } from './undici-parts.js';

export interface LoadedImage {
  mediaType: string;
  /** Base64 without a `data:` prefix. */
  data: string;
}

/** What is left of a request's allowance of image bytes, shared by all of its images. */
export interface ByteBudget {
  remaining: number;
  readonly limit: number;
}

export interface FetchImageOptions {
  signal?: AbortSignal;
  maxBytes?: number;
  timeoutMs?: number;
  /** Spent as bytes arrive; running out is the client's 400. */
  budget?: ByteBudget;
}

const DATA_URL = /^data:([^;,]+)?(;base64)?,(.*)$/s;
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

function invalid(message: string, param = 'messages'): ApiError {
  return new ApiError('invalid_request', message, { param });
}

function spend(budget: ByteBudget | undefined, bytes: number): void {
  if (!budget) return;
  budget.remaining -= bytes;
  if (budget.remaining < 0) throw invalid(`The images of this request are larger than ${budget.limit} bytes together.`);
}

/**
 * An image part's bytes for providers that need them inline: a `data:` URL is decoded in place;
 * an http(s) URL is fetched with SSRF protection (public addresses only, also after redirects and
 * DNS), a size limit and a timeout. Failures are the client's 400s.
 */
export async function fetchImage(url: string, options: FetchImageOptions = {}): Promise<LoadedImage> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const data = DATA_URL.exec(url);
  if (data) {
    const [, mediaType = 'application/octet-stream', isBase64, payload] = data;
    const base64 = isBase64 ? payload : Buffer.from(decodeURIComponent(payload)).toString('base64');
    if ((base64.length * 3) / 4 > maxBytes) throw invalid(`The image is larger than ${maxBytes} bytes.`);
    spend(options.budget, Math.floor((base64.length * 3) / 4));
    return { mediaType, data: base64 };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`Invalid image URL: ${url.slice(0, 100)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid('Image URLs must be https, http or data: URLs.');
  if (isPrivateIPLiteral(parsed.hostname) && !allowsPrivateAddresses()) throw invalid('The image URL points to a private or local address.');

  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let current = parsed;
  for (let redirects = 0; redirects <= 3; redirects++) {
    let res;
    try {
      res = await requestWith(publicOnlyDispatcher(), current, { signal, headers: { accept: 'image/*' } });
    } catch (error) {
      if (refusedAsPrivate(error)) throw invalid('The image URL points to a private or local address.');
      throw invalid(`Could not download the image at ${current.origin}: ${(error as Error).message}`);
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      await res.body.dump();
      current = new URL(String(res.headers.location), current);
      if (isPrivateIPLiteral(current.hostname) && !allowsPrivateAddresses()) throw invalid('The image URL redirects to a private or local address.');
      continue;
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw invalid(`Could not download the image at ${current.origin}: HTTP ${res.statusCode}.`);
    }
    const declared = Number(res.headers['content-length']);
    if (declared > maxBytes) {
      await res.body.dump();
      throw invalid(`The image is larger than ${maxBytes} bytes.`);
    }
    if (options.budget && declared > options.budget.remaining) {
      await res.body.dump();
      spend(options.budget, declared);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > maxBytes) {
        res.body.destroy();
        throw invalid(`The image is larger than ${maxBytes} bytes.`);
      }
      try {
        spend(options.budget, chunk.length);
      } catch (error) {
        res.body.destroy();
        throw error;
      }
      chunks.push(chunk as Buffer);
    }
    const mediaType = String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim();
    return { mediaType, data: Buffer.concat(chunks).toString('base64') };
  }
  throw invalid('The image URL redirects too many times.');
}
