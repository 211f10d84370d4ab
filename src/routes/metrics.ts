import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../auth/constant-time-equal.js';
import { presentedKey } from '../auth/presented-key.js';
import { ApiError } from '../core/errors.js';
import { ClusterMetrics } from '../observability/cluster-metrics.js';
import type { AppContext } from '../server/context.js';

/**
 * `GET /metrics`: Prometheus text format. It names models and deployments and counts their errors,
 * so an operator may close it (OPENSQ_METRICS=off: no route) or ask for a scraper's key
 * (OPENSQ_METRICS_KEY, compared in constant time; any other caller is a 401). In a worker of
 * `serve --workers N` it answers for the whole cluster, whichever worker the scrape lands on.
 */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  const { metricsEnabled, metricsKey } = ctx.settings;
  if (!metricsEnabled) return;
  const { registry } = ctx.metrics;
  const wholeCluster = cluster.isWorker ? new ClusterMetrics(registry) : undefined;
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
    if (!wholeCluster) return reply.type(registry.contentType).send(await registry.metrics());
    let text: string;
    try {
      text = await wholeCluster.scrape();
    } catch (error) {
      request.log.warn({ err: error }, 'metrics: the workers could not be scraped');
      throw new ApiError('metrics_unavailable', 'The metrics of every worker could not be gathered; try again.');
    }
    return reply.type(registry.contentType).send(text);
  });
}
