import type { FastifyInstance } from 'fastify';
import { describeDeployment } from '../../routing/describe-deployment.js';
import type { OverviewView } from '../../schema/admin-wire.js';
import type { AppContext } from '../../server/context.js';
import { UsageReport } from '../../usage/usage-report.js';
import { usageSeries } from '../../usage/usage-series.js';
import { overviewQuerySchema } from './admin-schemas.js';
import { parseAdminInput } from './parse-admin-input.js';

const HOUR_MS = 3_600_000;

/**
 * `GET /admin/overview`: everything the dashboard's first screen shows in one answer — totals of a
 * period, a 24-hour strip per provider, and the first-run checklist — reading only that period's rows.
 */
export function registerAdminOverview(app: FastifyInstance, ctx: AppContext): void {
  const report = new UsageReport(ctx.database);
  app.get('/overview', async (request): Promise<OverviewView> => {
    const q = parseAdminInput(overviewQuerySchema, request.query);
    const now = Date.now();
    const from = now - (q.hours ?? 24) * HOUR_MS;
    const stripFrom = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
    const db = ctx.database.db;
    const [summary, strip, ttft, keys] = await Promise.all([
      report.summary({ from }),
      usageSeries(ctx.database, { from: stripFrom, to: now + 1, bucket: 'hour', groupBy: 'provider' }),
      db.selectFrom('usage').select('ttft_ms').where('ts', '>=', from).where('ttft_ms', 'is not', null).where('status', '=', 'ok').execute(),
      db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '<>', 'key_public').executeTakeFirstOrThrow(),
    ]);
    const ttfts = ttft.map((r) => Number(r.ttft_ms)).sort((a, b) => a - b);
    const deployments = ctx.catalog.list().flatMap((model) => model.deployments.map((d) => describeDeployment(model, d, ctx.health)));
    const firstRequest = summary.totals.requests > 0 || (await db.selectFrom('usage').select('id').limit(1).executeTakeFirst()) !== undefined;
    return {
      object: 'overview',
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      totals: { ...summary.totals, ttft_p50_ms: ttfts.length ? ttfts[Math.ceil(0.5 * ttfts.length) - 1] : null },
      strip_from: new Date(stripFrom).toISOString(),
      // Per provider: requests that reached none (refused before routing, Cloud) are in the totals only.
      strip: strip.flatMap((p) => (p.group === null ? [] : [{ t: p.t, provider: p.group, requests: p.requests, errors: p.errors }])),
      providers: [...new Set(deployments.filter((d) => d.configured).map((d) => d.provider))].sort(),
      checklist: { provider_configured: deployments.some((d) => d.configured), key_created: Number(keys.n) > 0, first_request: firstRequest },
    };
  });
}
