import { type ErrorCode, type ErrorOptions, UpstreamError } from '../../core/errors.js';
import type { UpstreamFailure } from '../shared/upstream-failure.js';

/** The HTTP status Anthropic pairs with each error type, for errors that arrive inside a stream. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

interface ParsedError {
  type: string | undefined;
  message: string;
}

function parse(bodyText: string): ParsedError {
  try {
    const body = JSON.parse(bodyText) as { error?: { type?: unknown; message?: unknown } };
    const type = typeof body?.error?.type === 'string' ? body.error.type : undefined;
    const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
    if (type || message) return { type, message: message ?? type ?? '' };
  } catch {
    // Not Anthropic's JSON (a proxy's HTML page, say): keep the start of the text.
  }
  return { type: undefined, message: bodyText.slice(0, 300) };
}

/**
 * An Anthropic error response (`{"type":"error","error":{"type","message"}}`) in our error shape,
 * classified by HTTP status (and, for in-stream errors, by the error type's documented status):
 *   400 invalid_request_error, 422   → 400 invalid_request, the upstream's message kept (the client's request)
 *   413 request_too_large            → 413 request_too_large
 *   401 authentication_error, 402 billing_error, 403 permission_error
 *                                    → 502 upstream_auth_error: the gateway's own key or account, not the client's
 *   404 not_found_error              → 502 upstream_error: this deployment does not serve the model
 *   429 rate_limit_error             → 429 upstream_rate_limited, keeping Retry-After
 *   529 overloaded_error, 503        → 503 model_unavailable, retryable: Anthropic is out of capacity for now
 *   408, 504 timeout_error           → 504 upstream_timeout
 *   500 api_error, other statuses    → 502 upstream_error
 */
export function mapAnthropicError({ provider, status, body: bodyText, retryAfter }: UpstreamFailure): UpstreamError {
  const { type, message: upstreamMessage } = parse(bodyText);
  const details: { provider: string; upstreamStatus: number; upstreamBody: string } & ErrorOptions = {
    provider,
    upstreamStatus: status,
    upstreamBody: bodyText,
    retryAfter,
  };
  const said = upstreamMessage || `upstream answered ${status}`;
  let code: ErrorCode;
  let message = said;
  if (status === 400 || status === 422) {
    code = 'invalid_request';
    details.status = 400;
  } else if (status === 413) {
    code = 'request_too_large';
  } else if (status === 401 || status === 402 || status === 403) {
    code = 'upstream_auth_error';
    message = `provider ${provider} rejected the gateway's credentials (${status} ${type ?? 'error'}): ${said}`;
  } else if (status === 404) {
    code = 'upstream_error';
    message = `provider ${provider} does not serve this model (404): ${said}`;
  } else if (status === 429) {
    code = 'upstream_rate_limited';
  } else if (status === 529 || status === 503) {
    code = 'model_unavailable';
    message = `provider ${provider} is overloaded (${status}): ${said}`;
  } else if (status === 408 || status === 504) {
    code = 'upstream_timeout';
    message = `provider ${provider} timed out (${status}): ${said}`;
  } else {
    code = 'upstream_error';
    message = `provider ${provider} failed (${status}): ${said}`;
  }
  return new UpstreamError(code, message, details);
}

/** An `error` event inside a stream, which has no HTTP status of its own. */
export function mapAnthropicStreamError(provider: string, data: string): UpstreamError {
  const { type } = parse(data);
  return mapAnthropicError({ provider, status: (type && STATUS_OF_TYPE[type]) || 500, body: data });
}
