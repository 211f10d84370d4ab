import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { KeyRecords } from '../../auth/key-records.js';
import { UserRecords } from '../../auth/user-records.js';
import type { AppContext } from '../../server/context.js';
import { UsageReport } from '../../usage/usage-report.js';
import { adminGuard } from './admin-guard.js';
import { registerAdminDeploymentTest } from './admin-deployment-test.js';
import { registerAdminHealth } from './admin-health.js';
import { registerAdminKeys } from './admin-keys.js';
import { adminOpenApi } from './admin-openapi.js';
import { registerAdminUsage } from './admin-usage.js';
import { registerAdminUsers } from './admin-users.js';
import { RequestLog } from '../../usage/request-log.js';
import { registerAdminOverview } from './admin-overview.js';
import { registerAdminKeySearch } from './admin-key-search.js';
import { registerAdminRequests } from './admin-requests.js';
import { registerAdminUsageSeries } from './admin-usage-series.js';
import { registerAdminProviders } from './admin-providers.js';

/** The admin API under `/admin`; its description at `/admin/openapi.json` needs no key. */
export function registerAdmin(app: FastifyInstance, ctx: AppContext): void {
  const adminKey = ctx.settings.adminKey;
  app.get('/admin/openapi.json', async (request, reply) => {
    // Public while the admin API is on; answers like every admin route while it is off.
    if (!adminKey) await adminGuard(adminKey)(request);
    reply.type('application/json').send(JSON.stringify(adminOpenApi()));
  });
  void app.register(
    async (admin) => {
      admin.addHook('onRequest', adminGuard(adminKey));
      admin.addHook('preValidation', refuseNulCharacters);
      const keys = new KeyRecords(ctx.database, () => ctx.keys.changed());
      registerAdminKeys(admin, keys);
      registerAdminUsers(admin, new UserRecords(ctx.database), keys);
      registerAdminUsage(admin, new UsageReport(ctx.database));
      registerAdminHealth(admin, ctx);
      registerAdminDeploymentTest(admin, ctx);
      registerAdminKeySearch(admin, ctx.database);
      registerAdminRequests(admin, new RequestLog(ctx.database, ctx.settings));
      registerAdminUsageSeries(admin, ctx.database);
      registerAdminOverview(admin, ctx);
      registerAdminProviders(admin, ctx);
    },
    { prefix: '/admin' },
  );
}

/**
 * A NUL character in a name, an id or a filter: SQLite stores it, Postgres refuses the query, so
 * it is refused here alike on both, as the client's 400 rather than the database's 500.
 */
async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  if (/%00/i.test(request.url) || request.bodyText?.includes('\\u0000')) {
    throw new ApiError('invalid_request', 'Names, ids and filters cannot hold NUL characters.');
  }
}
