import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { Database } from '../storage/database.js';
import { pruneRequestBodies } from './prune-request-bodies.js';
import { rollupUsage } from './rollup-usage.js';

/**
 * Rolls the ledger up and prunes it, and its kept request bodies, now and then every
 * OPENSQ_USAGE_ROLLUP_INTERVAL_MS (0: never).
 * Returns a function that stops the schedule.
 */
export function scheduleRollup(ctx: {
  settings: Pick<Settings, 'usageRollupIntervalMs' | 'usageRetentionDays' | 'requestBodyRetentionDays'>;
  database: Database;
  log: Logger;
}): () => void {
  const interval = ctx.settings.usageRollupIntervalMs;
  if (interval === 0) return () => undefined;
  const run = (): void => {
    rollupUsage(ctx.database, { retentionDays: ctx.settings.usageRetentionDays }).then(
      (result) => {
        if (result.rows > 0 || result.pruned > 0) ctx.log.info(result, 'usage ledger rolled up and pruned');
      },
      (error: unknown) => ctx.log.error({ err: error }, 'could not roll up the usage ledger'),
    );
    pruneRequestBodies(ctx.database, { retentionDays: ctx.settings.requestBodyRetentionDays }).then(
      (pruned) => {
        if (pruned > 0) ctx.log.info({ pruned }, 'old request bodies pruned');
      },
      (error: unknown) => ctx.log.error({ err: error }, 'could not prune request bodies'),
    );
  };
  const first = setTimeout(run, 1000);
  const timer = setInterval(run, interval);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
