import { Agent, type Dispatcher } from 'undici';

/**
 * One connection pool per connect timeout (in practice one per process) for every upstream:
 * keep-alive sockets, pipelining off (streams must not queue behind each other), and no
 * per-request allocation of dispatchers.
 */
const agents = new Map<number, Agent>();

export function upstreamDispatcher(connectMs = 10_000): Dispatcher {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1, connect: { timeout: connectMs } });
    agents.set(connectMs, agent);
  }
  return agent;
}

export async function closeUpstreamDispatcher(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}
