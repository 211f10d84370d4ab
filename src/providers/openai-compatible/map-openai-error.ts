import { type ErrorCode, UpstreamError } from '../../core/errors.js';

interface OpenAIErrorBody {
  error?: { message?: string; type?: string; param?: string | null; code?: string | number | null } | string;
  message?: string;
}

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
 * cannot help; 429 keeps `Retry-After`; 408 and timeouts are 504; the rest are 502.
 */
export function mapOpenAIError({ provider, status, body: bodyText, retryAfter }: OpenAIErrorResponse): UpstreamError {
  let parsed: OpenAIErrorBody | undefined;
  try {
    parsed = JSON.parse(bodyText) as OpenAIErrorBody;
  } catch {
    parsed = undefined;
  }
  const inner = typeof parsed?.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  const upstreamMessage =
    inner?.message ?? (typeof parsed?.error === 'string' ? parsed.error : undefined) ?? parsed?.message ?? bodyText.slice(0, 300);
  const details = { provider, upstreamStatus: status, upstreamBody: bodyText, retryAfter, param: inner?.param ?? null };

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
