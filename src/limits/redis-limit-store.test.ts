import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ApiError } from '../core/errors.js';
import { RedisLimitStore } from './redis-limit-store.js';

describe('RedisLimitStore', () => {
  it('answers a retryable 503 when Redis cannot be reached, never a 500', async () => {
    // A port nothing listens on, no offline queue and no retries: every command fails at once.
    const redis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const store = new RedisLimitStore(redis, 'test:');
    try {
      await assert.rejects(
        store.take({ windows: [{ key: 'k', limit: 10, amount: 1, windowMs: 60_000 }] }),
        (error: unknown) => error instanceof ApiError && error.status === 503 && error.retryable && error.retryAfter === '1',
      );
    } finally {
      redis.disconnect();
    }
  });
});
