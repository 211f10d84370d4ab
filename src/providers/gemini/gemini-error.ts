import { type ErrorCode, UpstreamError } from '../../core/errors.js';
import type { GeminiErrorBody } from './gemini-api.js';
import type { UpstreamFailure } from '../shared/upstream-failure.js';

type GoogleStatus = NonNullable<GeminiErrorBody['error']>;

/** The gRPC status Google sends, or the one its HTTP status stands for. */
function statusOf(error: GoogleStatus | undefined, httpStatus: number): string {
  if (typeof error?.status === 'string') return error.status;
  const byHttp: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 504: 'DEADLINE_EXCEEDED' };
  return byHttp[httpStatus] ?? 'UNKNOWN';
}

/** `RetryInfo.retryDelay` ("7s", "0.5s") as whole seconds for `Retry-After`. */
function retryDelay(error: GoogleStatus | undefined): string | undefined {
  const delay = error?.details?.find((d) => typeof d.retryDelay === 'string')?.retryDelay;
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  return Number.isFinite(seconds) ? String(Math.max(1, Math.ceil(seconds))) : undefined;
}

/**
 * A Gemini error (`{"error":{"code","message","status","details"}}`, google.rpc.Status) in our
 * error shape, classified by HTTP status, gRPC status and `ErrorInfo.reason`, never by message:
 * - the gateway's credentials: UNAUTHENTICATED, PERMISSION_DENIED (API not enabled, key not
 *   allowed), and a bad key, which Google answers as 400 INVALID_ARGUMENT with reason
 *   `API_KEY_INVALID` (or another `API_KEY_*` reason): upstream_auth_error 502, since the client
 *   cannot fix them and another client key would not help;
 * - FAILED_PRECONDITION (the gateway's region or billing is not served): 502, so a deployment
 *   elsewhere is tried;
 * - INVALID_ARGUMENT / OUT_OF_RANGE: the client's request, 400 with Google's message (413 kept);
 * - NOT_FOUND: the configured model does not exist upstream, 502;
 * - RESOURCE_EXHAUSTED: 429, keeping `Retry-After` (or Google's `RetryInfo` delay);
 * - DEADLINE_EXCEEDED: 504; INTERNAL, UNAVAILABLE, CANCELLED and the rest: 502.
 */
export function mapGeminiError({ provider, status: httpStatus, body: bodyText, retryAfter }: UpstreamFailure): UpstreamError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  // Without `alt=sse` Google wraps a streaming error in an array.
  const body = (Array.isArray(parsed) ? parsed[0] : parsed) as GeminiErrorBody | undefined;
  const error = typeof body?.error === 'object' && body.error !== null ? body.error : undefined;
  const status = statusOf(error, httpStatus);
  const reasons = (error?.details ?? []).map((d) => d.reason).filter((r): r is string => typeof r === 'string');
  const upstreamMessage = error?.message ?? bodyText.slice(0, 300);
  const details = { provider, upstreamStatus: httpStatus, upstreamBody: bodyText };

  let code: ErrorCode;
  let outStatus: number | undefined;
  let message = upstreamMessage || `upstream answered ${httpStatus}`;
  if (status === 'UNAUTHENTICATED' || status === 'PERMISSION_DENIED' || reasons.some((r) => r.startsWith('API_KEY_'))) {
    code = 'upstream_auth_error';
    message = `provider ${provider} rejected the gateway's credentials (${httpStatus} ${[status, ...reasons].join(' ')}): ${upstreamMessage}`;
  } else if (status === 'FAILED_PRECONDITION') {
    code = 'upstream_error';
    message = `provider ${provider} cannot serve the gateway (${httpStatus} ${status}): ${upstreamMessage}`;
  } else if (httpStatus === 413) {
    code = 'request_too_large';
  } else if (status === 'INVALID_ARGUMENT' || status === 'OUT_OF_RANGE') {
    code = 'invalid_request';
    outStatus = 400;
  } else if (status === 'NOT_FOUND') {
    code = 'upstream_error';
    message = `provider ${provider} does not serve this model (${httpStatus}): ${upstreamMessage}`;
  } else if (status === 'RESOURCE_EXHAUSTED') {
    code = 'upstream_rate_limited';
    return new UpstreamError(code, message, { ...details, retryAfter: retryAfter ?? retryDelay(error) });
  } else if (status === 'DEADLINE_EXCEEDED') {
    code = 'upstream_timeout';
  } else {
    code = 'upstream_error';
    message = `provider ${provider} failed (${httpStatus} ${status}): ${upstreamMessage}`;
  }
  return new UpstreamError(code, message, { ...details, status: outStatus });
}
