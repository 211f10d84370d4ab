import cluster from 'node:cluster';
import type { Redis } from 'ioredis';

const MESSAGE = 'opensq-keys-changed';

/**
 * Tells the other instances (through Redis pub/sub) and the other workers of `serve --workers`
 * (through the primary) that keys changed, so they drop their cached records at once instead of
 * after the cache's few seconds.
 */
export interface KeyChangeBroadcast {
  publish(): void;
  close(): Promise<void>;
}

export function keyChannel(prefix: string): string {
  return `${prefix}keys-changed`;
}

/** Joins the broadcast: `onChange` runs when another process changed keys. */
export async function joinKeyChanges(options: { redis: Redis | undefined; subscriber: Redis | undefined; prefix: string; onChange: () => void }): Promise<KeyChangeBroadcast> {
  const { redis, subscriber, onChange } = options;
  const channel = keyChannel(options.prefix);
  const self = String(process.pid);
  // The subscriber connection is shared with other channels, and closed by its owner.
  const listener = (on: string, from: string): void => {
    if (on === channel && from !== self) onChange();
  };
  if (subscriber) {
    subscriber.on('message', listener);
    await subscriber.subscribe(channel);
  }
  const fromPrimary = (message: unknown): void => {
    if (message === MESSAGE) onChange();
  };
  if (cluster.isWorker) process.on('message', fromPrimary);
  return {
    publish() {
      if (redis) void redis.publish(channel, self).catch(() => undefined);
      else if (cluster.isWorker) process.send?.(MESSAGE);
    },
    async close() {
      process.off('message', fromPrimary);
      subscriber?.off('message', listener);
    },
  };
}

/** In the primary of `serve --workers`: passes a worker's key change on to the other workers. */
export function relayKeyChanges(): void {
  cluster.on('message', (sender, message) => {
    if (message !== MESSAGE) return;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && worker !== sender && worker.isConnected()) worker.send(MESSAGE);
  });
}

/** From outside a server (the CLI): tells the instances sharing REDIS_URL that keys changed. */
export async function announceKeyChange(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.publish(keyChannel(prefix), `cli-${process.pid}`);
  } finally {
    redis.disconnect();
  }
}
