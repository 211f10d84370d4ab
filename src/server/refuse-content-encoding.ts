import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../core/errors.js';

/**
 * A body in a `Content-Encoding` is refused (415), not read as if it were plain: OpenAI's and
 * Anthropic's SDKs never compress a request, and inflating one would let 16 MiB of gzip become
 * gigabytes. `identity` is no encoding at all.
 */
export function refuseContentEncoding(headers: IncomingHttpHeaders): ApiError | undefined {
  const encoding = headers['content-encoding'];
  if (encoding === undefined || encoding === '' || encoding.toLowerCase() === 'identity') return undefined;
  return new ApiError(
    'unsupported_media_type',
    `Request bodies in Content-Encoding "${encoding.slice(0, 40)}" are not accepted: send the body uncompressed, without a Content-Encoding header.`,
  );
}
