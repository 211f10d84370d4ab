import type { FastifyInstance } from 'fastify';
import { describeDeployment } from '../../routing/describe-deployment.js';
import type { HealthView } from '../../schema/admin-wire.js';
import type { AppContext } from '../../server/context.js';

/** Every deployment of the catalog and the overall status: ok when every model with a deployment can serve. */
export function healthReport(ctx: AppContext): Omit<HealthView, 'object'> {
  const data = ctx.catalog.list().flatMap((model) => model.deployments.map((d) => describeDeployment(model, d, ctx.health)));
  const serving = ctx.catalog.list().filter((m) => m.deployments.length > 0);
  const up = serving.filter((m) => data.some((d) => d.model === m.id && d.state === 'ok')).length;
  return { status: up === serving.length ? 'ok' : up === 0 ? 'down' : 'degraded', data };
}

/** `GET /admin/health`: every deployment of the catalog, its provider and whether it can serve. */
export function registerAdminHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/health', async (): Promise<HealthView> => ({ object: 'list', ...healthReport(ctx) }));
}
