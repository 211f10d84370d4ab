import type { Routed } from '../routing/router.js';
import type { AppContext } from '../server/context.js';
import { recordUsage, type UsageFacts } from '../usage/record-usage.js';
import type { RequestScope } from './request-scope.js';

/** What a request knows of itself before routing: its usage facts less the outcome. */
export type RoutedFacts = Omit<UsageFacts, 'deployment' | 'attempts' | 'promptTokens' | 'completionTokens' | 'status' | 'httpStatus' | 'error'>;

/**
 * Ends a request no deployment could serve before a byte reached the client: its usage row says
 * why (cancelled when the client left, the total timeout when it ran out, else the last attempt's
 * error), then the error goes to the route's error handler.
 */
export async function failBeforeFirstByte(ctx: AppContext, scope: RequestScope, facts: RoutedFacts, routed: Extract<Routed<unknown>, { ok: false }>): Promise<never> {
  const error = scope.timeout ?? routed.error;
  const cancelled = scope.clientGone;
  await recordUsage(ctx, { ...facts, deployment: routed.deployment, attempts: routed.attempts, promptTokens: 0, completionTokens: 0, status: cancelled ? 'cancelled' : 'error', httpStatus: cancelled ? 499 : error.status, error });
  throw error;
}
