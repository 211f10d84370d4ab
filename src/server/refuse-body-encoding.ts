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
const READABLE = new Set(['', 'utf-8', 'utf8', 'us-ascii']);

/**
 * A JSON body declared in a charset other than UTF-8 (JSON's only one, RFC 8259) is refused (415)
 * rather than decoded as UTF-8 into other text than the client meant.
 */
export function refuseCharset(headers: IncomingHttpHeaders): ApiError | undefined {
  const type = headers['content-type'];
  if (type === undefined || !type.includes(';')) return undefined;
  const charset = CHARSET.exec(type)?.[1];
  if (charset === undefined || READABLE.has(charset.toLowerCase())) return undefined;
  return new ApiError('unsupported_media_type', `Request bodies in charset "${charset.slice(0, 40)}" are not accepted: send JSON in UTF-8.`);
}
