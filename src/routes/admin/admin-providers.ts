import type { FastifyInstance } from 'fastify';
import { onlysqCatalog } from '../../encode/catalog-json.js';
import type { ProvidersView } from '../../schema/admin-wire.js';
import type { AppContext } from '../../server/context.js';
import { deploymentUsage } from '../../usage/deployment-usage.js';
import { healthReport } from './admin-health.js';
import { TESTABLE_KINDS } from './admin-deployment-test.js';

const DAY_MS = 86_400_000;

/**
 * `GET /admin/providers`: the dashboard's Providers view in one answer — every deployment's health
 * with its last 24 hours of requests, success rate and latency, and the catalog as `/ai/models` shows it.
 */
export function registerAdminProviders(app: FastifyInstance, ctx: AppContext): void {
  app.get('/providers', async (): Promise<ProvidersView> => {
    const now = Date.now();
    const from = now - DAY_MS;
    const health = healthReport(ctx);
    const usage = await deploymentUsage(ctx.database, from);
    const catalog = onlysqCatalog(ctx.catalog.list(), (model) => ctx.router.available(model)).models;
    return {
      object: 'providers',
      status: health.status,
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      deployments: health.data.map((d) => {
        const u = usage.find((x) => x.model === d.model && x.provider === d.provider && x.upstream_model === d.upstream_model);
        return {
          ...d,
          testable: TESTABLE_KINDS.has(ctx.catalog.get(d.model)?.kind ?? ''),
          usage_24h: {
            requests: u?.requests ?? 0,
            errors: u?.errors ?? 0,
            success_rate: u?.success_rate ?? null,
            latency_p50_ms: u?.latency_p50_ms ?? null,
            latency_p95_ms: u?.latency_p95_ms ?? null,
          },
        };
      }),
      catalog,
    };
  });
}
