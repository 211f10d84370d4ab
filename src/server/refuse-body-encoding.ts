import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../core/errors.js';

/**
 * A body in a `Content-Encoding` is refused (415), not read as if it were plain: OpenAI's and
 * Anthropic's SDKs never compress a request, and inflating one would let 16 MiB of gzip become
 * gigabytes. `identity` is no encoding at all. Likewise a transfer coding other than `chunked`
 * (`gzip, chunked`), which Node's parser unchunks but does not decode.
 */
export function refuseContentEncoding(headers: IncomingHttpHeaders): ApiError | undefined {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'identity') {
    return refused(`Content-Encoding "${encoding.slice(0, 40)}"`, 'without a Content-Encoding header');
  }
  const transfer = headers['transfer-encoding'];
  if (transfer !== undefined && transfer.toLowerCase() !== 'chunked') {
    return refused(`Transfer-Encoding "${transfer.slice(0, 40)}"`, 'chunked or with a Content-Length');
  }
  return undefined;
}

function refused(what: string, how: string): ApiError {
  return new ApiError('unsupported_media_type', `Request bodies in ${what} are not accepted: send the body uncompressed, ${how}.`);
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;
/** UTF-8, and ASCII, which is UTF-8. */
const UTF8 = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii']);
/** ISO-8859-1 under its common names: Node decodes it exactly. */
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1', 'cp819']);
/** Charsets in which ASCII text is not the same bytes. */
const NOT_ASCII_COMPATIBLE = /^(utf-?(16|32)|ucs-?[24])/i;

/**
 * How to read a JSON body's bytes, from the charset its Content-Type declares: as UTF-8 (JSON's
 * only charset, RFC 8259, and what is assumed when none is declared); as ISO-8859-1 (Java's
 * `new StringEntity(json)` declares it by default); in any other ASCII-compatible charset, as
 * UTF-8 only when every byte is ASCII (`asciiOnly`, the same text in both), else a 415. UTF-16 and
 * UTF-32 are a 415: they would be decoded into other text than the client meant.
 */
export type BodyCharset = 'utf8' | 'latin1' | { asciiOnly: string } | ApiError;

export function bodyCharset(headers: IncomingHttpHeaders): BodyCharset {
  const type = headers['content-type'];
  if (type === undefined || !type.includes(';')) return 'utf8';
  const charset = CHARSET.exec(type)?.[1];
  if (charset === undefined) return 'utf8';
  const name = charset.toLowerCase();
  if (UTF8.has(name)) return 'utf8';
  if (LATIN1.has(name)) return 'latin1';
  if (NOT_ASCII_COMPATIBLE.test(name)) return charsetRefused(charset);
  return { asciiOnly: charset };
}

export function charsetRefused(charset: string): ApiError {
  return new ApiError('unsupported_media_type', `Request bodies in charset "${charset.slice(0, 40)}" are not accepted: send JSON in UTF-8.`);
}
