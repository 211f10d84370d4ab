import { type ErrorCode, UpstreamError } from '../../core/errors.js';
import type { BflErrorBody } from './bfl-api.js';
import type { UpstreamFailure } from '../shared/upstream-failure.js';

function messageOf(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as BflErrorBody;
    if (typeof body.detail === 'string') return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => `${(d.loc ?? []).join('.')}: ${d.msg ?? ''}`).join('; ');
    if (body.message) return body.message;
  } catch {
    // not JSON: the raw text says what happened
  }
  return bodyText.slice(0, 300);
}

/**
 * A BFL error response in our terms: its validation errors (422) are the client's 400s; bad
 * credentials (401, 403) and an empty BFL balance (402) are the gateway's, so 502s; 429 (too many
 * active tasks) keeps Retry-After; the rest are 502s.
 */
export function mapBflError({ provider, status, body: bodyText, retryAfter }: UpstreamFailure): UpstreamError {
  const upstream = messageOf(bodyText) || `upstream answered ${status}`;
  const details = { provider, upstreamStatus: status, upstreamBody: bodyText, retryAfter };
  let code: ErrorCode = 'upstream_error';
  let message = `provider ${provider} failed (${status}): ${upstream}`;
  let outStatus: number | undefined;
  if (status === 400 || status === 422) {
    code = 'invalid_request';
    message = upstream;
    outStatus = 400;
  } else if (status === 401 || status === 403) {
    code = 'upstream_auth_error';
    message = `provider ${provider} rejected the gateway's credentials (${status}): ${upstream}`;
  } else if (status === 402) {
    message = `provider ${provider} has no credits left on the gateway's account (402): ${upstream}`;
  } else if (status === 429) {
    code = 'upstream_rate_limited';
    message = upstream;
  } else if (status === 408 || status === 504) {
    code = 'upstream_timeout';
  }
  return new UpstreamError(code, message, { ...details, status: outStatus });
}
