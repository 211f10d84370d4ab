import { UpstreamError } from '../../core/errors.js';

/** An upstream answer we cannot read (not JSON, wrong shape, wrong content type): a retryable 502. */
export function malformedAnswer(provider: string, what: string, body: string, cause?: unknown): UpstreamError {
  return new UpstreamError('upstream_error', `provider ${provider} sent ${what}`, { provider, upstreamBody: body, cause });
}
