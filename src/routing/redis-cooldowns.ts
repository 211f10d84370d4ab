import type { Redis } from 'ioredis';
import type { CooldownBroadcast } from './deployment-health.js';


/**
 * Shares deployment cooldowns between instances through Redis: a cooldown is stored as a key that
 * expires when it ends (so an instance starting later sees it) and announced on a channel (so
 * running instances skip the deployment at once). Failures are counted per instance; only the
 * decision to cool down travels.
 */
export class RedisCooldowns implements CooldownBroadcast {
  private readonly listeners: Array<(deployment: string, until: number) => void> = [];

  private readonly channel: string;
  private readonly keyPrefix: string;

  private constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}cooldowns`;
    this.keyPrefix = `${prefix}cooldown:`;
  }

  /** Shares cooldowns over the instance's Redis connection, plus one subscriber connection of its own. */
  static async attach(client: Redis, prefix: string): Promise<RedisCooldowns> {
    const subscriber = client.duplicate();
    const shared = new RedisCooldowns(client, subscriber, prefix);
    await subscriber.subscribe(shared.channel);
    subscriber.on('message', (_channel: string, message: string) => {
      const [deployment, until] = JSON.parse(message) as [string, number];
      shared.emit(deployment, until);
    });
    return shared;
  }

  publish(deployment: string, until: number): void {
    const ttl = until - Date.now();
    if (ttl <= 0) return;
    // Best effort: a Redis hiccup must never fail a request; the local breaker still works.
    this.client
      .multi()
      .set(this.keyPrefix + deployment, String(until), 'PX', ttl)
      .publish(this.channel, JSON.stringify([deployment, until]))
      .exec()
      .catch(() => undefined);
  }

  onCooldown(listener: (deployment: string, until: number) => void): void {
    this.listeners.push(listener);
  }

  /** Cooldowns other instances started before this one, so it does not hit them anew. */
  async loadExisting(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.keyPrefix}*`, 'COUNT', 100);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.client.mget(...keys);
      keys.forEach((key, i) => {
        const until = Number(values[i]);
        if (until > Date.now()) this.emit(key.slice(this.keyPrefix.length), until);
      });
    } while (cursor !== '0');
  }

  /** Closes the subscriber; the shared client belongs to the context. */
  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private emit(deployment: string, until: number): void {
    for (const listener of this.listeners) listener(deployment, until);
  }
}
