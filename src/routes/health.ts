import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';

/** A usage write running longer than this holds up every answer: the instance is not ready. */
const STALLED_WRITE_MS = 5_000;
/** The readiness query's own limit: a database that does not answer is not ready, and the probe is not left hanging. */
const READY_QUERY_MS = 2_000;

/**
 * `GET /health`: the process is up. `GET /ready`: the database answers within two seconds, and the
 * usage ledger is not stuck: every response waits for its usage row, so a write held up for more
 * than five seconds (a lock on the table, a saturated database) means no request can complete, and
 * a load balancer should send traffic elsewhere. Both are public, so a failure says only that: the
 * cause goes to the log, once when readiness is lost rather than at every probe, and once when it
 * is back.
 */
export function registerHealth(app: FastifyInstance, { database, ledger, log }: Pick<AppContext, 'database' | 'ledger' | 'log'>): void {
  let failing = false;
  app.get('/health', async (_req, reply) => {
    reply.type('application/json').send('{"status":"ok"}');
  });
  app.get('/ready', async (_req, reply) => {
    try {
      const stalled = ledger.stalledMs();
      if (stalled > STALLED_WRITE_MS) throw new Error(`a usage write has been waiting on the database for ${Math.round(stalled)} ms`);
      await withTimeout(database.db.selectFrom('users').select('id').limit(1).execute(), READY_QUERY_MS);
    } catch (error) {
      if (!failing) log.error({ err: error }, 'readiness: database not reachable or not keeping up; /ready answers 503 until it is');
      failing = true;
      reply.code(503).type('application/json').send('{"status":"unavailable"}');
      return;
    }
    if (failing) log.info('readiness: database reachable again');
    failing = false;
    reply.type('application/json').send('{"status":"ready"}');
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
