import { isAscii, isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { BodyDeadlines } from './body-deadlines.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { bodyCharset, charsetRefused, refuseContentEncoding } from './refuse-body-encoding.js';

type Done = (err: Error | null, value?: unknown) => void;

/** The first allocation for a body; it doubles as bytes arrive, whatever the client declared. */
const INITIAL_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body into one growing buffer and parses it as JSON with the engine's parser.
 * One buffer, not a list of the chunks as they came: a body sent a byte at a time would otherwise
 * cost hundreds of bytes of memory per byte. Larger than `limit`: a 413. Empty: no body at all,
 * whatever the content type says (many HTTP wrappers send `content-type: application/json` on a
 * DELETE). Not UTF-8, not JSON, or nested deeper than MAX_JSON_DEPTH: a 400 in OpenAI's shape (a
 * UTF-8 byte order mark is skipped, as RFC 8259 allows). In a Content-Encoding, or in a charset
 * it cannot be read in (bodyCharset): a 415. Not all there within `timeoutMs` (stalled, or trickling): a 408. The text
 * stays on the request for the usage row.
 */
export function jsonBodyParser({ limit, timeoutMs }: { limit: number; timeoutMs: number }): (req: FastifyRequest, payload: IncomingMessage, done: Done) => void {
  const deadlines = timeoutMs > 0 ? new BodyDeadlines(timeoutMs) : undefined;
  return (req, payload, done) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return done(new ApiError('request_too_large', 'The request body is too large.'));
    const encoded = refuseContentEncoding(req.headers);
    if (encoded) return done(encoded);
    const charset = bodyCharset(req.headers);
    if (charset instanceof ApiError) return done(charset);
    let buffer = Buffer.allocUnsafe(Math.min(Number.isFinite(declared) && declared > 0 ? declared : INITIAL_BYTES, INITIAL_BYTES));
    let length = 0;
    // Once settled, the listeners stay attached and ignore what comes (removing three listeners per
    // request showed in the profile; the 'error' one keeps a late error handled) and the buffer is
    // let go: the listeners live as long as the request.
    let settled = false;
    const expire = (): void => {
      if (settled) return;
      settled = true;
      buffer = EMPTY;
      done(new ApiError('request_timeout', `The request body did not arrive within ${timeoutMs / 1000} s.`));
    };
    deadlines?.watch(expire);
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      if (length + chunk.length > limit) {
        settled = true;
        deadlines?.clear(expire);
        buffer = EMPTY;
        return done(new ApiError('request_too_large', 'The request body is too large.'));
      }
      if (length + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(buffer.length * 2, length + chunk.length)));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      chunk.copy(buffer, length);
      length += chunk.length;
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      deadlines?.clear(expire);
      if (charset !== 'utf8') return readDeclared();
      const start = length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
      const text = length === start ? '' : buffer.toString('utf8', start, length);
      // Bytes that are not UTF-8 become U+FFFD, and other text than the client's would go upstream;
      // the bytes are looked at only when the text has one (a client may send U+FFFD itself).
      const valid = !text.includes('\ufffd') || isUtf8(buffer.subarray(start, length));
      buffer = EMPTY;
      if (text === '') return done(null, undefined);
      if (!valid) return done(new ApiError('invalid_json', 'The body of your request is not valid UTF-8: send JSON in UTF-8.'));
      parseJson(req, text, done);
    };
    /** A body declared in another charset than UTF-8: ISO-8859-1 decoded as such, others only when ASCII. */
    const readDeclared = (): void => {
      const bytes = buffer.subarray(0, length);
      buffer = EMPTY;
      if (charset !== 'latin1' && charset !== 'utf8' && !isAscii(bytes)) return done(charsetRefused(charset.asciiOnly));
      const text = bytes.toString(charset === 'latin1' ? 'latin1' : 'utf8');
      if (text === '') return done(null, undefined);
      parseJson(req, text, done);
    };
    const onError = (error: Error): void => {
      if (settled) return;
      settled = true;
      deadlines?.clear(expire);
      buffer = EMPTY;
      done(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  };
}

function parseJson(req: FastifyRequest, body: string, done: Done): void {
  req.bodyText = body;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return done(new ApiError('invalid_json', `We could not parse the JSON body of your request: ${(error as Error).message}`, { cause: error }));
  }
  if (typeof value === 'object' && value !== null && nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return done(new ApiError('invalid_json', `The JSON body of your request nests deeper than ${MAX_JSON_DEPTH} levels.`));
  }
  done(null, value);
}
