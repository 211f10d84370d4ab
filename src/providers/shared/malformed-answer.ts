import { UpstreamError } from '../../core/errors.js';

/** An answer of a provider's that we cannot read: `what` it sent, and the body as it came. */
export interface MalformedAnswer {
  provider: string;
  /** What the provider sent, as the end of "provider X sent ...": "an answer without choices". */
  what: string;
  body: string;
  cause?: unknown;
}

/** An upstream answer we cannot read (not JSON, wrong shape, wrong content type): a retryable 502. */
export function malformedAnswer({ provider, what, body, cause }: MalformedAnswer): UpstreamError {
  return new UpstreamError('upstream_error', `provider ${provider} sent ${what}`, { provider, upstreamBody: body, cause });
}
