import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { onlysqCatalog } from '../../encode/catalog-json.js';
import type { AppContext } from '../../server/context.js';

/** `GET /ai/models`: OnlySq's catalog. Clients validate keys by calling it, so bad keys are 401s. */
export function registerCatalog(app: FastifyInstance, ctx: AppContext): void {
  const payload = JSON.stringify(onlysqCatalog(ctx.catalog.list()));
  app.get('/ai/models', async (request, reply) => {
    await ctx.keys.authenticate(presentedKey(request.headers));
    reply.type('application/json').send(payload);
  });
}
