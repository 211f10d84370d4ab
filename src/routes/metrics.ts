import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';

/** `GET /metrics`: Prometheus text format. */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
