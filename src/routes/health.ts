import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';

/**
 * `GET /health`: the process is up. `GET /ready`: the database answers. Both are public, so a
 * failure says only that: the driver's error (hosts, database and table names) goes to the log,
 * once when the database starts failing rather than at every probe, and once when it answers again.
 */
export function registerHealth(app: FastifyInstance, { database, log }: Pick<AppContext, 'database' | 'log'>): void {
  let failing = false;
  app.get('/health', async (_req, reply) => {
    reply.type('application/json').send('{"status":"ok"}');
  });
  app.get('/ready', async (_req, reply) => {
    try {
      await database.db.selectFrom('users').select('id').limit(1).execute();
    } catch (error) {
      if (!failing) log.error({ err: error }, 'readiness: database not reachable; /ready answers 503 until it is');
      failing = true;
      reply.code(503).type('application/json').send('{"status":"unavailable"}');
      return;
    }
    if (failing) log.info('readiness: database reachable again');
    failing = false;
    reply.type('application/json').send('{"status":"ready"}');
  });
}
