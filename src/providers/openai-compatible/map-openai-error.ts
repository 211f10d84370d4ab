import { type ErrorCode, UpstreamError } from '../../core/errors.js';

interface OpenAIErrorBody {
  error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown } | string;
  message?: unknown;
}

/** The longest `param` an upstream error passes on: a request's field path, not a place for its text. */
export const MAX_PARAM_CHARS = 256;

/** An OpenAI-compatible upstream's error response: its status, body (scrubbed of credentials) and `Retry-After`. */
export interface OpenAIErrorResponse {
  provider: string;
  status: number;
  body: string;
  retryAfter?: string;
}

/**
 * An OpenAI-compatible upstream's error response in our error shape. The client's own mistakes
 * (400, 413, 422) keep the upstream's message and status; the gateway's credential or model
 * configuration problems (401, 403, 404) are 502s, since retrying with another client key
 * cannot help; 429 keeps `Retry-After`; 408 and timeouts are 504; the rest are 502. A message
 * that is not a string is quoted as JSON; a `param` that is not a short string is left out.
 */
export function mapOpenAIError({ provider, status, body: bodyText, retryAfter }: OpenAIErrorResponse): UpstreamError {
  let parsed: OpenAIErrorBody | undefined;
  try {
    parsed = JSON.parse(bodyText) as OpenAIErrorBody;
  } catch {
    parsed = undefined;
  }
  const inner = typeof parsed?.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  const upstreamMessage = asText(inner?.message) ?? (typeof parsed?.error === 'string' ? parsed.error : undefined) ?? asText(parsed?.message) ?? bodyText.slice(0, 300);
  // The upstream names the field at fault; anything but a short string is no field name to pass on.
  const param = typeof inner?.param === 'string' && inner.param.length <= MAX_PARAM_CHARS ? inner.param : null;
  const details = { provider, upstreamStatus: status, upstreamBody: bodyText, retryAfter, param };

  let code: ErrorCode;
  let outStatus: number | undefined;
  let message = upstreamMessage || `upstream answered ${status}`;
  if (status === 400 || status === 422) {
    code = 'invalid_request';
    outStatus = 400;
  } else if (status === 413) {
    code = 'request_too_large';
  } else if (status === 401 || status === 403) {
    code = 'upstream_auth_error';
    message = `provider ${provider} rejected the gateway's credentials (${status}): ${upstreamMessage}`;
  } else if (status === 404) {
    code = 'upstream_error';
    message = `provider ${provider} does not serve this model (404): ${upstreamMessage}`;
  } else if (status === 429) {
    code = 'upstream_rate_limited';
  } else if (status === 408 || status === 504) {
    code = 'upstream_timeout';
  } else {
    code = 'upstream_error';
    message = `provider ${provider} failed (${status}): ${upstreamMessage}`;
  }
  return new UpstreamError(code, message, { ...details, status: outStatus });
}

/** An upstream's message as text: a string as it is, any other value but null as JSON (UpstreamError bounds its length). */
function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
