import { ApiError } from '../core/errors.js';
import type { Redis } from 'ioredis';
import type { GiveBack, LimitStore, TakeRequest, TakeResult } from './limit-store.js';

/** A slot of a crashed instance is freed after this long: longer than any request may take. */
const SLOT_TTL_MS = 15 * 60_000;

// KEYS: the windows' counters, then the concurrency key if any. ARGV: the number of windows, then
// limit, amount, window ms for each, then the slot limit and its TTL. Checks all, then counts all.
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
if slot then
  local held = tonumber(redis.call('GET', slot) or '0')
  if held >= tonumber(ARGV[3 * n + 2]) then return {-1, 1000} end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[i], ARGV[3 * i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[3 * i + 1]) end
end
if slot then
  redis.call('INCR', slot)
  redis.call('PEXPIRE', slot, ARGV[3 * n + 3])
end
return {0, 0}
`;

// KEYS: counters to adjust, then the slot to free if ARGV[1] is "1". ARGV[2..]: the adjustments.
const GIVE_BACK = `
local n = #KEYS
if ARGV[1] == '1' then n = n - 1 end
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if tonumber(redis.call('INCRBY', KEYS[i], ARGV[i + 1])) < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
if ARGV[1] == '1' then
  if tonumber(redis.call('DECR', KEYS[#KEYS])) <= 0 then redis.call('DEL', KEYS[#KEYS]) end
end
return 0
`;

type Scripted = Redis & {
  opensqTake(numKeys: number, ...args: Array<string | number>): Promise<[number, number]>;
  opensqGiveBack(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

/** Counters shared by every instance through Redis: one round trip to take, one to give back. */
export class RedisLimitStore implements LimitStore {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('opensqTake', { lua: TAKE });
    redis.defineCommand('opensqGiveBack', { lua: GIVE_BACK });
    this.redis = redis as Scripted;
  }

  async take(request: TakeRequest): Promise<TakeResult> {
    const keys = request.windows.map((w) => this.prefix + w.key);
    const args: Array<string | number> = [request.windows.length];
    for (const w of request.windows) args.push(w.limit, w.amount, w.windowMs);
    if (request.concurrency) {
      keys.push(this.prefix + request.concurrency.key);
      args.push(request.concurrency.limit, SLOT_TTL_MS);
    }
    let code: number;
    let ttl: number;
    try {
      [code, ttl] = await this.redis.opensqTake(keys.length, ...keys, ...args);
    } catch (error) {
      // Without Redis the limits cannot be checked: an honest, retryable 503 rather than a 500.
      throw new ApiError('limits_unavailable', 'Rate limits cannot be checked right now; please retry shortly.', { retryAfter: '1', cause: error });
    }
    if (code === 0) return { ok: true };
    return { ok: false, failed: code === -1 ? -1 : code - 1, retryAfterMs: ttl };
  }

  async giveBack(back: GiveBack): Promise<void> {
    const keys = back.adjust.map((a) => this.prefix + a.key);
    const args: Array<string | number> = [back.release === undefined ? '0' : '1', ...back.adjust.map((a) => a.amount)];
    if (back.release !== undefined) keys.push(this.prefix + back.release);
    if (keys.length === 0) return;
    // Settling must not fail a request that was served: without Redis, a held slot expires with its TTL.
    await this.redis.opensqGiveBack(keys.length, ...keys, ...args).catch(() => undefined);
  }
}
