import type { ApiError } from '../../core/errors.js';

/** Anthropic's error type and status for a gateway error, by its status: the statuses and types its clients know. */
export function anthropicError(error: ApiError): { status: number; type: string } {
  const status = error.status;
  if (status === 401) return { status, type: 'authentication_error' };
  if (status === 402) return { status, type: 'billing_error' };
  if (status === 403) return { status, type: 'permission_error' };
  if (status === 404) return { status, type: 'not_found_error' };
  if (status === 413) return { status, type: 'request_too_large' };
  if (status === 429) return { status, type: 'rate_limit_error' };
  // No deployment can answer now, but may soon: Anthropic's "overloaded", which its clients retry.
  if ((status === 503 && error.retryable) || status === 529) return { status: 529, type: 'overloaded_error' };
  if (status === 504) return { status, type: 'timeout_error' };
  if (status >= 500) return { status, type: 'api_error' };
  return { status, type: 'invalid_request_error' };
}

/** The body Anthropic answers errors with: `{"type":"error","error":{"type","message"}}`. */
export function anthropicErrorBody(error: ApiError): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicError(error).type, message: error.message } });
}
