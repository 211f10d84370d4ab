import { ApiError } from './errors.js';

/** Any thrown value as an ApiError; unknown failures are 500s that keep their cause for the log. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('internal_error', 'The server had an error while processing your request.', { cause: error });
}
