import { type ErrorCode, UpstreamError } from '../../core/errors.js';
import type { CohereErrorBody } from './cohere-api.js';
import type { UpstreamFailure } from '../shared/upstream-failure.js';

/**
 * A Cohere error response (`{"id","message"}`) in our error shape, by status alone (Cohere's
 * bodies carry no error code):
 *   400, 422       the client's request was refused: 400 `invalid_request` with Cohere's message
 *   401, 403, 498  Cohere refused the gateway's own key: 502 `upstream_auth_error`, not the client's 401
 *   402            the gateway's Cohere account cannot pay: 502 `upstream_error`, so another deployment may serve
 *   404            the configured model (or base URL) does not exist there: 502 `upstream_error`
 *   413            `request_too_large`
 *   429            `upstream_rate_limited`, keeping `Retry-After`
 *   408, 504       `upstream_timeout` (504)
 *   499, 5xx, rest 502 `upstream_error`
 */
export function mapCohereError({ provider, status, body: bodyText, retryAfter }: UpstreamFailure): UpstreamError {
  let parsed: CohereErrorBody | undefined;
  try {
    parsed = JSON.parse(bodyText) as CohereErrorBody;
  } catch {
    parsed = undefined;
  }
  const upstreamMessage = (typeof parsed?.message === 'string' ? parsed.message : bodyText.slice(0, 300)) || `upstream answered ${status}`;
  let code: ErrorCode;
  let outStatus: number | undefined;
  let message = upstreamMessage;
  if (status === 400 || status === 422) {
    code = 'invalid_request';
    outStatus = 400;
  } else if (status === 401 || status === 403 || status === 498) {
    code = 'upstream_auth_error';
    message = `provider ${provider} rejected the gateway's credentials (${status}): ${upstreamMessage}`;
  } else if (status === 402) {
    code = 'upstream_error';
    message = `provider ${provider} refused the gateway's account for billing (402): ${upstreamMessage}`;
  } else if (status === 404) {
    code = 'upstream_error';
    message = `provider ${provider} does not serve this model (404): ${upstreamMessage}`;
  } else if (status === 413) {
    code = 'request_too_large';
  } else if (status === 429) {
    code = 'upstream_rate_limited';
  } else if (status === 408 || status === 504) {
    code = 'upstream_timeout';
    message = `provider ${provider} timed out (${status}): ${upstreamMessage}`;
  } else {
    code = 'upstream_error';
    message = `provider ${provider} failed (${status}): ${upstreamMessage}`;
  }
  return new UpstreamError(code, message, { provider, upstreamStatus: status, upstreamBody: bodyText, retryAfter, status: outStatus });
}
