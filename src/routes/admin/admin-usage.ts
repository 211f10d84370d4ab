import type { FastifyInstance } from 'fastify';
import type { UsageRowsView, UsageSummaryView } from '../../schema/admin-wire.js';
import type { UsageFilter, UsageReport } from '../../usage/usage-report.js';
import { usageQuerySchema } from './admin-schemas.js';
import { parseAdminInput, parseTime } from './parse-admin-input.js';

function filterOf(query: unknown): { filter: UsageFilter; limit: number | undefined; groupBy: 'key' | 'user' | 'model' | 'day' | undefined } {
  const q = parseAdminInput(usageQuerySchema, query);
  return {
    filter: { keyId: q.key_id, userId: q.user, model: q.model, from: parseTime(q.from, 'from'), to: parseTime(q.to, 'to') },
    limit: q.limit,
    groupBy: q.group_by,
  };
}

/** `/admin/usage`: raw rows with totals, totals grouped by key, user, model or day, and errors. */
export function registerAdminUsage(app: FastifyInstance, report: UsageReport): void {
  app.get('/usage', async (request): Promise<UsageRowsView> => {
    const { filter, limit, groupBy } = filterOf(request.query);
    const [data, summary] = await Promise.all([report.rows(filter, limit), report.summary(filter, groupBy)]);
    return { object: 'list', data, totals: summary.totals };
  });
  app.get('/usage/summary', async (request): Promise<UsageSummaryView> => {
    const { filter, groupBy } = filterOf(request.query);
    const summary = await report.summary(filter, groupBy);
    return { object: 'list', group_by: groupBy ?? null, data: summary.groups, totals: summary.totals };
  });
  app.get('/usage/errors', async (request) => ({ object: 'list', data: await report.errors(filterOf(request.query).filter) }));
}
