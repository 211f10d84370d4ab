import type { Dispatcher } from 'undici';
import { Agent } from './undici-parts.js';

/**
 * How the pool to providers connects (`OPENSQ_UPSTREAM_CONNECTIONS`). HTTP/1.1 only: undici's
 * HTTP/2 cost 2.6× the CPU per stream of HTTP/1.1 (bench/h2-upstream.ts), and it multiplexes only
 * with `pipelining` > 1, which would also pipeline HTTP/1.1 origins (streams queued behind streams).
 */
export interface UpstreamPoolOptions {
  /** Sockets per origin; `undefined`: no cap, so a stream never waits behind others for a socket. */
  connections: number | undefined;
}

let options: UpstreamPoolOptions = { connections: undefined };

/** Told how long each request waited for a socket (connect included), in ms; unset, nothing is timed. */
type SocketWaitObserver = (origin: string, ms: number) => void;
let socketWaitObserver: SocketWaitObserver | undefined;

export function observeSocketWait(observer: SocketWaitObserver): void {
  socketWaitObserver = observer;
}

/**
 * An Agent that times, per request, dispatch to the moment it gets a socket (`onConnect`, called
 * by undici as the request is written): a pool's queue is invisible otherwise. One closure per
 * request, nothing per chunk.
 */
class TimedAgent extends Agent {
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const observe = socketWaitObserver;
    const onConnect = handler.onConnect;
    if (observe && onConnect) {
      const start = performance.now();
      // As the pool's stats name it: a URL's origin has no trailing slash.
      const origin = typeof opts.origin === 'string' ? opts.origin : (opts.origin?.origin ?? '');
      handler.onConnect = function (this: Dispatcher.DispatchHandler, ...args) {
        observe(origin, performance.now() - start);
        return onConnect.apply(this, args);
      };
    }
    return super.dispatch(opts, handler);
  }
}

/**
 * One connection pool per connect timeout (in practice one per process) for every upstream:
 * keep-alive sockets, pipelining off (streams must not queue behind each other), and no
 * per-request allocation of dispatchers.
 */
const agents = new Map<number, Agent>();

/** Sets how pools made from now on connect; `serve` calls it once, before the first request. */
export function configureUpstreamPool(given: UpstreamPoolOptions): void {
  options = given;
}

export function upstreamDispatcher(connectMs = 10_000): Dispatcher {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new TimedAgent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connections: options.connections ?? null,
      pipelining: 1,
      connect: { timeout: connectMs },
    });
    agents.set(connectMs, agent);
  }
  return agent;
}

/** Per origin: sockets open, requests sent and not yet answered in full, and requests waiting for a socket. */
export interface UpstreamOriginStats {
  connected: number;
  running: number;
  queued: number;
}

/** What the pools hold now, per origin (summed over connect timeouts). */
export function upstreamPoolStats(): Map<string, UpstreamOriginStats> {
  const byOrigin = new Map<string, UpstreamOriginStats>();
  for (const agent of agents.values()) {
    for (const [origin, s] of Object.entries(agent.stats)) {
      const sum = byOrigin.get(origin) ?? { connected: 0, running: 0, queued: 0 };
      sum.connected += Number(s.connected);
      sum.running += s.running;
      // A pool's `pending` counts the requests in its own queue and those handed to a socket not yet written.
      sum.queued += s.pending;
      byOrigin.set(origin, sum);
    }
  }
  return byOrigin;
}

export async function closeUpstreamDispatcher(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}
