import { Agent, type Dispatcher } from 'undici';

/**
 * One connection pool per process for every upstream: keep-alive sockets, pipelining off
 * (streams must not queue behind each other), no per-request allocation of dispatchers.
 */
let agent: Agent | undefined;

export function upstreamDispatcher(): Dispatcher {
  agent ??= new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 256,
    pipelining: 1,
    connect: { timeout: 10_000 },
  });
  return agent;
}

export async function closeUpstreamDispatcher(): Promise<void> {
  const current = agent;
  agent = undefined;
  await current?.close();
}
