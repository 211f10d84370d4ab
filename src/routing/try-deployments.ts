import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import type { Deployment } from './catalog.js';

export type Attempted<T> =
  | { ok: true; value: T; deployment: Deployment }
  | { ok: false; error: ApiError; deployment: Deployment | undefined };

/**
 * Calls `attempt` on each deployment in plan order until one succeeds, moving on only after a
 * retryable failure and while the request is still wanted. Called only before anything has been
 * sent to the client.
 */
export async function tryDeployments<T>(plan: readonly Deployment[], signal: AbortSignal, attempt: (deployment: Deployment) => Promise<T>): Promise<Attempted<T>> {
  let failure: Attempted<T> | undefined;
  for (const deployment of plan) {
    try {
      return { ok: true, value: await attempt(deployment), deployment };
    } catch (e) {
      failure = { ok: false, error: asApiError(e), deployment };
      if (!failure.error.retryable || signal.aborted) break;
    }
  }
  return failure ?? { ok: false, error: new ApiError('model_unavailable', 'The model has no deployment to try.'), deployment: undefined };
}
