import cluster from 'node:cluster';
import { resolveAdminKey } from '../auth/admin-key-file.js';
import type { Settings } from '../config/settings.js';
import { endStartUp } from './start-up-heap.js';
import { closeUpstreamDispatcher, configureUpstreamPool } from '../providers/shared/http-client.js';
import { buildApp } from './app.js';
import { closeContext, createContext } from './create-context.js';
import { startupReport } from './startup-report.js';
import { scheduleRollup } from '../usage/schedule-rollup.js';

const LISTEN_BACKLOG = 4096;

/**
 * Runs the server until SIGTERM or SIGINT, then stops accepting connections, lets in-flight
 * requests finish (up to the grace period) and closes storage.
 */
export async function serve(given: Settings): Promise<void> {
  const admin = resolveAdminKey(given);
  const settings = { ...given, adminKey: admin.key };
  configureUpstreamPool(settings.upstreamPool);
  const ctx = await createContext(settings);
  const app = buildApp(ctx);
  await app.ready();
  // Before the first connection, so no request waits on its one full GC.
  endStartUp();
  // Node's default backlog (511) drops the SYNs of a larger burst of new clients, and each waits 1, 3
  // or 7 s for its retry: 1,000 streams opened at once took 7 s to their first token. The kernel
  // caps this at net.core.somaxconn.
  const address = await app.listen({ port: settings.port, host: settings.host, backlog: LISTEN_BACKLOG });
  // Of `serve --workers N`, the first worker reports in full, the others in a line.
  const worker = cluster.isWorker ? cluster.worker!.id : 1;
  process.stdout.write(`${worker === 1 ? startupReport(ctx, address, admin.source) : `OpenSq worker ${worker} listening on ${address}`}\n`);
  const stopRollup = scheduleRollup(ctx);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM from a supervisor changes nothing.
      if (signal === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    stopRollup();
    ctx.log.info({ signal, inFlight: ctx.inFlight.count }, 'shutting down: draining in-flight requests');
    const grace = setTimeout(() => {
      ctx.log.warn({ inFlight: ctx.inFlight.count }, 'grace period over, closing remaining connections');
      app.server.closeAllConnections();
    }, settings.shutdownGraceMs);
    grace.unref();
    await app.close();
    clearTimeout(grace);
    await closeContext(ctx);
    await closeUpstreamDispatcher();
    ctx.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
