import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { RequestDetailView, RequestLogPage } from '../../schema/admin-wire.js';
import type { RequestLog } from '../../usage/request-log.js';
import { requestLogQuerySchema } from './admin-schemas.js';
import { parseAdminInput, parseTime } from './parse-admin-input.js';

/** `/admin/requests`: the request log, filtered and paged by keyset, and one request's details with its body. */
export function registerAdminRequests(app: FastifyInstance, log: RequestLog): void {
  app.get('/requests', async (request): Promise<RequestLogPage> => {
    const q = parseAdminInput(requestLogQuerySchema, request.query);
    const page = await log.page(
      { keyId: q.key_id, model: q.model, provider: q.provider, status: q.status, endpoint: q.endpoint, text: q.q, from: parseTime(q.from, 'from'), to: parseTime(q.to, 'to') },
      { limit: q.limit ?? 50, before: q.before },
    );
    return { object: 'list', ...page };
  });
  // Request ids always have a prefix, so digits alone are a row id.
  app.get<{ Params: { id: string } }>('/requests/:id', async (request): Promise<RequestDetailView> => {
    const id = request.params.id;
    const row = await log.get(/^\d+$/.test(id) ? Number(id) : id);
    if (!row) throw new ApiError('not_found', `There is no request ${id}.`, { param: 'id' });
    return row;
  });
}
