import type { FastifyInstance } from 'fastify';
import { presentedKey } from '../../auth/presented-key.js';
import { onlysqCatalog } from '../../encode/catalog-json.js';
import type { AppContext } from '../../server/context.js';

/** How long a rendered catalog is reused: statuses follow cooldowns within this. */
const RENDER_TTL_MS = 1_000;

/**
 * `GET /ai/models`: OnlySq's catalog, with each model's status following its deployments'
 * cooldowns. Clients validate keys by calling it, so bad keys are 401s.
 */
export function registerCatalog(app: FastifyInstance, ctx: AppContext): void {
  let payload = '';
  let renderedAt = 0;
  app.get('/ai/models', async (request, reply) => {
    await ctx.keys.authenticate(presentedKey(request.headers));
    const now = Date.now();
    if (now - renderedAt > RENDER_TTL_MS) {
      payload = JSON.stringify(onlysqCatalog(ctx.catalog.list(), (model) => ctx.router.available(model)));
      renderedAt = now;
    }
    reply.type('application/json').send(payload);
  });
}
