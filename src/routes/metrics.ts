import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../auth/constant-time-equal.js';
import { presentedKey } from '../auth/presented-key.js';
import { ApiError } from '../core/errors.js';
import type { AppContext } from '../server/context.js';

/**
 * `GET /metrics`: Prometheus text format. It names models and deployments and counts their errors,
 * so an operator may close it (OPENSQ_METRICS=off: no route) or ask for a scraper's key
 * (OPENSQ_METRICS_KEY, compared in constant time; any other caller is a 401).
 */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  const { metricsEnabled, metricsKey } = ctx.settings;
  if (!metricsEnabled) return;
  app.get('/metrics', async (request, reply) => {
    if (metricsKey !== undefined) {
      const presented = presentedKey(request.headers);
      if (presented === undefined || !constantTimeEqual(presented, metricsKey)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw presented === undefined
          ? new ApiError('missing_api_key', 'The metrics need their key: send "Authorization: Bearer $OPENSQ_METRICS_KEY".')
          : new ApiError('invalid_api_key', 'This key may not read the metrics.');
      }
    }
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
