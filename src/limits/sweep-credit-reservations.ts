import type { Logger } from 'pino';
import type { CreditAccounts } from './credit-accounts.js';

/** How often each process looks for abandoned reservations (the expired ones of instances that never came back). */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Gives back the credit reservations of processes that died mid-request: once as this process
 * starts (a worker restarted in a dead one's place, an instance started again), then every
 * SWEEP_INTERVAL_MS for those that expired. Returns a function that stops it.
 */
export function sweepCreditReservations(ctx: { credits: CreditAccounts; log: Pick<Logger, 'info' | 'warn'> }): () => void {
  let failing = false;
  const run = (): void => {
    ctx.credits.giveBackAbandoned(Date.now()).then(
      (returned) => {
        failing = false;
        if (returned > 0) ctx.log.info({ code: 'credit_reservations_returned', returned }, 'gave back the credit reserved by requests of processes that died or that expired');
      },
      (error: unknown) => {
        if (!failing) ctx.log.warn({ code: 'credit_sweep_failed', err: error }, 'could not give back abandoned credit reservations; will try again');
        failing = true;
      },
    );
  };
  run();
  const timer = setInterval(run, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
