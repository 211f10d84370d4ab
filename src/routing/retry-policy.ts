import type { ApiError } from '../core/errors.js';

/** How hard the router tries before giving up on a request. */
export interface RetryPolicy {
  /** Upstream attempts per request, across all deployments. */
  maxAttempts: number;
  /** First backoff before retrying a deployment already tried; doubles each time, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error goes back to the client. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 };

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryAfterFailure {
  /** How the deployment just failed. */
  error: ApiError;
  /** The retry about to be made, 1-based. */
  retry: number;
  policy: RetryPolicy;
  /** Uniform in [0, 1), for the jitter; Math.random unless a test fixes it. */
  random?: () => number;
}

/**
 * How long to wait before retrying a deployment that just failed: the upstream's Retry-After when
 * it gave one, else exponential backoff with full jitter. Undefined means "do not retry": the
 * upstream asked for longer than we will wait.
 */
export function retryDelay({ error, retry, policy, random = Math.random }: RetryAfterFailure): number | undefined {
  const asked = retryAfterMs(error.retryAfter);
  if (asked !== undefined) return asked <= policy.maxRetryAfterMs ? asked : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
