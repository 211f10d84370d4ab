import type { Logger } from 'pino';
import type { CloudStore } from './cloud-store.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * With OPENSQ_CLOUD_TTL_DAYS, removes expired files every tenth of the TTL (at least a second, at
 * most an hour), the first time a minute after start at most. Expired files are 404s already; the
 * sweep frees their space. Returns a function that stops the schedule.
 */
export function scheduleCloudExpiry(cloud: CloudStore, log: Logger): () => void {
  const ttlMs = cloud.settings.ttlMs;
  if (ttlMs === undefined) return () => undefined;
  const every = Math.min(HOUR, Math.max(SECOND, Math.round(ttlMs / 10)));
  let running = false;
  const run = (): void => {
    // A slow sweep (many files, slow storage) is not started twice.
    if (running) return;
    running = true;
    cloud.removeExpired().then(
      (removed) => {
        if (removed > 0) log.info({ removed }, 'expired Cloud files removed');
      },
      (error: unknown) => log.error({ err: error }, 'could not remove expired Cloud files'),
    ).finally(() => (running = false));
  };
  const first = setTimeout(run, Math.min(every, MINUTE));
  const timer = setInterval(run, every);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
