import cluster from 'node:cluster';
import type { Redis } from 'ioredis';
import type { LimitStore } from '../../limits/limit-store.js';
import { MemoryLimitStore } from '../../limits/memory-limit-store.js';
import { PrimaryLimitStore } from '../../limits/primary-limit-store.js';
import { RedisLimitStore } from '../../limits/redis-limit-store.js';

/**
 * Where upload counters live, chosen as `createAdmission` chooses for the API's limits: Redis
 * (REDIS_URL) shared by every instance, else the primary process for the workers of
 * `serve --workers N`, else this process.
 */
export function uploadLimitStore(redis: Redis | undefined, redisPrefix: string): LimitStore {
  if (redis) return new RedisLimitStore(redis, redisPrefix);
  if (cluster.isWorker) return new PrimaryLimitStore();
  return new MemoryLimitStore();
}
