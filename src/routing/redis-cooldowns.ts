import type { Redis } from 'ioredis';
import type { CooldownBroadcast, HoldKind } from './deployment-health.js';

/**
 * Shares deployment cooldowns between instances through Redis: a cooldown is stored as a key that
 * expires when it ends (so an instance starting later sees it) and announced on a channel (so
 * running instances skip the deployment at once). Failures are counted per instance; only the
 * decision to cool down travels.
 */
export class RedisCooldowns implements CooldownBroadcast {
  private readonly listeners: Array<(deployment: string, until: number, kind: HoldKind) => void> = [];

  private readonly channel: string;
  private readonly keyPrefix: string;

  private constructor(
    private readonly client: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}cooldowns`;
    this.keyPrefix = `${prefix}cooldown:`;
  }

  /** Publishes over the instance's command connection; listens on its subscriber connection, which the context owns. */
  static async attach(client: Redis, subscriber: Redis, prefix: string): Promise<RedisCooldowns> {
    const shared = new RedisCooldowns(client, prefix);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== shared.channel) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'number') return;
      shared.emit(parsed[0], parsed[1], parsed[2] === 'pause' ? 'pause' : 'cooldown');
    });
    await subscriber.subscribe(shared.channel);
    return shared;
  }

  /** Over the shared command connection: publishing needs no connection of its own. */
  publish(deployment: string, until: number, kind: HoldKind): void {
    const ttl = until - Date.now();
    if (ttl <= 0) return;
    // Best effort: a Redis hiccup must never fail a request; the local breaker still works.
    this.client
      .multi()
      .set(this.keyPrefix + deployment, `${until}:${kind}`, 'PX', ttl)
      .publish(this.channel, JSON.stringify([deployment, until, kind]))
      .exec()
      .catch(() => undefined);
  }

  onCooldown(listener: (deployment: string, until: number, kind: HoldKind) => void): void {
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
        const [until, kind] = (values[i] ?? '').split(':');
        if (Number(until) > Date.now()) this.emit(key.slice(this.keyPrefix.length), Number(until), kind === 'pause' ? 'pause' : 'cooldown');
      });
    } while (cursor !== '0');
  }

  private emit(deployment: string, until: number, kind: HoldKind): void {
    for (const listener of this.listeners) listener(deployment, until, kind);
  }
}
