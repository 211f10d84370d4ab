import { randomBytes } from 'node:crypto';
import { ApiError } from '../core/errors.js';
import type { Redis } from 'ioredis';
import type { GiveBack, LimitStore, TakeRequest, TakeResult } from './limit-store.js';

/** A slot of a crashed instance is freed after this long: longer than any request may take. */
const SLOT_TTL_MS = 15 * 60_000;
/** Releases that failed while Redis was away, kept to retry once it is back (older ones expire by their TTL). */
const MAX_UNRELEASED = 10_000;

// KEYS: the windows' counters, then the concurrency key if any. ARGV: the number of windows, then
// limit, amount, window ms for each, then the slot limit, its TTL and the holder's id. Checks all,
// then counts all. A slot key is a sorted set of holders scored by when each one's hold expires:
// one lost release frees itself after the TTL, however busy the key stays.
const TAKE = `
local n = tonumber(ARGV[1])
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local amount = tonumber(ARGV[3 * i])
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current + amount > limit then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then ttl = tonumber(ARGV[3 * i + 1]) end
    return {i, ttl}
  end
end
local slot = KEYS[n + 1]
local now = 0
if slot then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', slot, '-inf', now)
  if redis.call('ZCARD', slot) >= tonumber(ARGV[3 * n + 2]) then return {-1, 1000} end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[i], ARGV[3 * i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[3 * i + 1]) end
end
if slot then
  redis.call('ZADD', slot, now + tonumber(ARGV[3 * n + 3]), ARGV[3 * n + 4])
  redis.call('PEXPIRE', slot, ARGV[3 * n + 3])
end
return {0, 0}
`;

// KEYS: counters to adjust, then the slot to free if ARGV[1] is a holder id ("" for none).
// ARGV[2..]: the adjustments.
const GIVE_BACK = `
local n = #KEYS
if ARGV[1] ~= '' then n = n - 1 end
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if tonumber(redis.call('INCRBY', KEYS[i], ARGV[i + 1])) < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[#KEYS], ARGV[1]) end
return 0
`;

type Scripted = Redis & {
  opensqTake(numKeys: number, ...args: Array<string | number>): Promise<[number, number]>;
  opensqGiveBack(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

/**
 * Counters shared by every instance through Redis: one round trip to take, one to give back. A
 * concurrency slot is held under an id of this process's, so freeing it is idempotent: a release
 * that fails because the connection dropped (a Redis restart, a CLIENT KILL) is sent again once
 * ioredis has reconnected, instead of leaving the key one slot short until the TTL.
 */
export class RedisLimitStore implements LimitStore {
  private readonly redis: Scripted;
  /** The holder ids of the slots this process holds, by slot key (any one frees a slot). */
  private readonly held = new Map<string, string[]>();
  private readonly unreleased: Array<{ key: string; holder: string }> = [];
  private readonly holderPrefix = randomBytes(6).toString('hex');
  private holders = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('opensqTake', { lua: TAKE });
    redis.defineCommand('opensqGiveBack', { lua: GIVE_BACK });
    this.redis = redis as Scripted;
    redis.on('ready', () => this.releaseAgain());
  }

  async take(request: TakeRequest): Promise<TakeResult> {
    const keys = request.windows.map((w) => this.prefix + w.key);
    const args: Array<string | number> = [request.windows.length];
    for (const w of request.windows) args.push(w.limit, w.amount, w.windowMs);
    const holder = request.concurrency ? `${this.holderPrefix}:${++this.holders}` : undefined;
    if (request.concurrency) {
      keys.push(this.slotKey(request.concurrency.key));
      args.push(request.concurrency.limit, SLOT_TTL_MS, holder!);
    }
    let code: number;
    let ttl: number;
    try {
      [code, ttl] = await this.redis.opensqTake(keys.length, ...keys, ...args);
    } catch (error) {
      // The take may have run with its answer lost: the slot, if counted, is freed on reconnection.
      if (holder !== undefined) this.releaseLater(keys.at(-1)!, holder);
      // Without Redis the limits cannot be checked: an honest, retryable 503 rather than a 500.
      throw new ApiError('limits_unavailable', 'Rate limits cannot be checked right now; please retry shortly.', { retryAfter: '1', cause: error });
    }
    if (code !== 0) return { ok: false, failed: code === -1 ? -1 : code - 1, retryAfterMs: ttl };
    if (request.concurrency) {
      const key = this.slotKey(request.concurrency.key);
      const list = this.held.get(key);
      if (list) list.push(holder!);
      else this.held.set(key, [holder!]);
    }
    return { ok: true };
  }

  async giveBack(back: GiveBack): Promise<void> {
    const keys = back.adjust.map((a) => this.prefix + a.key);
    const slot = back.release === undefined ? undefined : this.slotKey(back.release);
    const holder = slot === undefined ? undefined : this.takeHolder(slot);
    const args: Array<string | number> = [holder ?? '', ...back.adjust.map((a) => a.amount)];
    if (holder !== undefined) keys.push(slot!);
    if (keys.length === 0) return;
    // Settling must not fail a request that was served: a slot it could not free is freed again on
    // reconnection (or expires with its TTL); a lost adjustment only skews a window that expires.
    await this.redis.opensqGiveBack(keys.length, ...keys, ...args).catch(() => {
      if (holder !== undefined) this.releaseLater(slot!, holder);
    });
  }

  /** A slot key of its own name: the sorted set of holders took the place of a counter at the plain key. */
  private slotKey(key: string): string {
    return `${this.prefix}${key}:holders`;
  }

  private takeHolder(slot: string): string | undefined {
    const list = this.held.get(slot);
    const holder = list?.pop();
    if (list?.length === 0) this.held.delete(slot);
    return holder;
  }

  private releaseLater(key: string, holder: string): void {
    if (this.unreleased.length >= MAX_UNRELEASED) this.unreleased.shift();
    this.unreleased.push({ key, holder });
  }

  private releaseAgain(): void {
    for (const { key, holder } of this.unreleased.splice(0)) this.redis.zrem(key, holder).catch(() => this.releaseLater(key, holder));
  }
}
