import { Gauge, type Registry } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';
import { type UpstreamOriginStats, observeSocketWait, upstreamPoolStats } from '../providers/shared/http-client.js';

/** From a warm socket (well under a millisecond) to a queue behind whole streams (tens of seconds). */
const WAIT_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60];

/** One histogram per process, as there is one pool per process; every registry of the process shows it. */
let socketWait: PlainHistogram | undefined;

function socketWaitHistogram(): PlainHistogram {
  if (!socketWait) {
    const histogram = new PlainHistogram(
      'opensq_upstream_socket_wait_seconds',
      'Time a request to a provider waited for a socket of the pool (a new connection included).',
      'origin',
      WAIT_BUCKETS,
    );
    observeSocketWait((origin, ms) => histogram.observe(origin, ms / 1000));
    socketWait = histogram;
  }
  return socketWait;
}

/**
 * The pool to providers in /metrics, per origin (the operator's configured base URLs only, so the
 * label set stays small): its queue, connections and requests on them, read when scraped, and
 * how long requests waited for a socket.
 */
export function registerUpstreamPoolMetrics(registry: Registry): void {
  const gauge = (name: string, help: string, read: (s: UpstreamOriginStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['origin'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [origin, stats] of upstreamPoolStats()) this.set({ origin }, read(stats));
      },
    });
  };
  gauge('opensq_upstream_pool_queued', 'Requests to a provider waiting for a socket of the pool (OPENSQ_UPSTREAM_CONNECTIONS caps the sockets).', (s) => s.queued);
  gauge('opensq_upstream_pool_connections', 'Open connections to a provider.', (s) => s.connected);
  gauge('opensq_upstream_pool_running', 'Requests to a provider on a socket, not yet answered in full.', (s) => s.running);
  socketWaitHistogram().register(registry);
}
