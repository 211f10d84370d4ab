import { errors as undiciErrors } from './undici-parts.js';
import { ApiError, UpstreamError } from '../../core/errors.js';

/** A failure to talk to an upstream at all (no HTTP answer) in our error shape. */
export function mapTransportError(provider: string, error: unknown, signal?: AbortSignal): ApiError {
  if (error instanceof ApiError) return error;
  if (signal?.aborted) {
    return new UpstreamError('upstream_timeout', `request to provider ${provider} was aborted`, { provider, cause: error, status: 499 });
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new UpstreamError('upstream_timeout', `provider ${provider} timed out: ${(error as Error).message}`, { provider, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError('upstream_error', `connection to provider ${provider} failed: ${message}`, { provider, cause: error });
}
