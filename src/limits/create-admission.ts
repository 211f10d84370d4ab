import cluster from 'node:cluster';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ConfigFile } from '../config/config-file.js';
import type { Settings } from '../config/settings.js';
import { newId } from '../core/ids.js';
import type { Database } from '../storage/database.js';
import type { UsageLedger } from '../usage/ledger.js';
import type { Admission } from './admission.js';
import { CreditAccounts } from './credit-accounts.js';
import { LimitAdmission } from './limit-admission.js';
import type { LimitStore } from './limit-store.js';
import { loadTierTable } from './limit-values.js';
import { MemoryLimitStore } from './memory-limit-store.js';
import { PrimaryLimitStore } from './primary-limit-store.js';
import { RedisLimitStore } from './redis-limit-store.js';
import { reservationOwner } from './reservation-owner.js';
import { sweepCreditReservations } from './sweep-credit-reservations.js';

/**
 * The gate as configured: counters in Redis when REDIS_URL is set, in the primary process when
 * this is one of `serve --workers N`, else in this process. Starts giving back the credit
 * reservations of processes that died.
 */
export function createAdmission(options: { settings: Settings; tiers: ConfigFile['tiers']; env: NodeJS.ProcessEnv; database: Database; ledger: UsageLedger; redis: Redis | undefined; log: Logger }): Admission {
  const { settings, ledger } = options;
  let store: LimitStore;
  if (options.redis) store = new RedisLimitStore(options.redis, settings.redisPrefix);
  else if (cluster.isWorker) store = new PrimaryLimitStore();
  else store = new MemoryLimitStore();
  const credits = new CreditAccounts(options.database, reservationOwner());
  sweepCreditReservations({ credits, log: options.log });
  return new LimitAdmission({
    store,
    tiers: loadTierTable(options.tiers, options.env),
    modelLimits: settings.modelLimits,
    credits,
    ledger,
    failOpen: settings.limitsFailOpen,
    log: options.log,
    onRefused: (request, error) =>
      ledger.record({
        ts: Date.now(),
        request_id: newId('req-'),
        key_id: request.key.id,
        user_id: request.key.userId,
        endpoint: request.endpoint,
        model: request.model.id,
        provider: null,
        deployment: null,
        prompt_tokens: 0,
        completion_tokens: 0,
        cached_tokens: 0,
        cost: 0,
        latency_ms: 0,
        ttft_ms: null,
        status: 'error',
        http_status: error.status,
        error_code: error.code,
        stream: 0,
        attempts: null,
      }),
  });
}
