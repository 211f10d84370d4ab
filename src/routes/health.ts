import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';

export function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/health', async (_req, reply) => {
    reply.type('application/json').send('{"status":"ok"}');
  });
  app.get('/ready', async (_req, reply) => {
    try {
      await ctx.database.db.selectFrom('users').select('id').limit(1).execute();
      reply.type('application/json').send('{"status":"ready"}');
    } catch (error) {
      reply.code(503).type('application/json').send(JSON.stringify({ status: 'unavailable', error: (error as Error).message }));
    }
  });
}
