import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';

/** Fastify's own errors (body too large, bad media type, ...) in our registry's terms. */
export function fromFastifyError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: string }).code;
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message;
  // Node's request body stream fails this way when the client hangs up before sending all of it:
  // the client's doing, not a failure of ours (no error log; no one is left to read the answer).
  if (code === 'ECONNRESET' && message === 'aborted') return new ApiError('client_closed_request', 'The client closed the connection before sending its whole body.');
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('request_too_large', 'The request body is too large.');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('unsupported_media_type', message);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new ApiError('invalid_json', message);
  }
  if (status !== undefined && status >= 400 && status < 500) return new ApiError('invalid_request', message, { status });
  return asApiError(error);
}
