import cluster from 'node:cluster';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { joinKeyChanges } from '../auth/key-change-broadcast.js';
import { KeyStore } from '../auth/key-store.js';
import { loadConfigFile } from '../config/config-file.js';
import type { Settings } from '../config/settings.js';
import { createAdmission } from '../limits/create-admission.js';
import { Metrics } from '../observability/metrics.js';
import { Catalog } from '../routing/catalog.js';
import { DeploymentHealth } from '../routing/deployment-health.js';
import { RedisCooldowns } from '../routing/redis-cooldowns.js';
import { WorkerCooldowns } from '../routing/worker-cooldowns.js';
import { DEFAULT_RETRY_POLICY } from '../routing/retry-policy.js';
import { Router } from '../routing/router.js';
import { ProviderRegistry, providerSettings } from '../routing/provider-registry.js';
import { loadCloudSettings } from '../storage/cloud/cloud-settings.js';
import { openCloudStore } from '../storage/cloud/open-cloud-store.js';
import { openDatabase } from '../storage/database.js';
import { UsageLedger } from '../usage/ledger.js';
import type { AppContext } from './context.js';

/** Builds the process's shared state: config, catalog, providers, database. */
export async function createContext(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<AppContext> {
  const log = pino({ level: settings.logLevel, base: undefined });
  const file = settings.configPath ? loadConfigFile(settings.configPath, env) : {};
  const registry = new ProviderRegistry(env, file.providers, providerSettings(settings));
  const catalog = new Catalog(registry, { models: file.models, aliases: file.aliases });
  // Only the providers some model can be served from: the others' code is never loaded.
  await registry.load(catalog.list().flatMap((m) => m.usable.map((d) => d.provider.name)));
  const redis = settings.redisUrl ? await connectRedis(settings.redisUrl) : undefined;
  // One subscriber connection carries every channel (pub/sub needs a connection of its own); publishing uses `redis`.
  const subscriber = redis?.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  const cooldowns = redis && subscriber ? await RedisCooldowns.attach(redis, subscriber, settings.redisPrefix) : undefined;
  // Without Redis, the workers of `serve --workers` share cooldowns through the primary.
  const health = new DeploymentHealth(settings.cooldown, cooldowns ?? (cluster.isWorker ? new WorkerCooldowns() : undefined));
  await cooldowns?.loadExisting();
  const inFlight = { count: 0 };
  const metrics = new Metrics(health, () => catalog.list().flatMap((m) => m.usable), inFlight);
  const router = new Router(health, { ...DEFAULT_RETRY_POLICY, maxAttempts: settings.maxAttempts }, metrics);
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  const cloud = await openCloudStore(loadCloudSettings(env, settings.dataDir), database);
  const ledger = new UsageLedger(database);
  const keys = new KeyStore(database, settings.anonymousEnabled);
  keys.setBroadcast(await joinKeyChanges({ redis, subscriber, prefix: settings.redisPrefix, onChange: () => keys.invalidate() }));
  return {
    settings,
    log,
    database,
    keys,
    ledger,
    registry,
    catalog,
    router,
    health,
    metrics,
    cloud,
    admission: createAdmission({ settings, tiers: file.tiers, env, database, ledger, redis, log }),
    redis,
    inFlight,
    closers: subscriber ? [() => subscriber.quit().then(() => undefined, () => subscriber.disconnect())] : [],
  };
}

/**
 * Connects to REDIS_URL; ioredis is loaded only when used. While Redis is unreachable a command
 * fails at once (no offline queue) or within a second (one sent just before it went away), so
 * requests get a quick answer instead of waiting on it; ioredis reconnects by itself, trying at
 * least every second, and everything works again without a restart.
 */
async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    enableAutoPipelining: true,
  });
  // Without a listener an unreachable Redis would be an uncaught 'error' event, once per retry.
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await Promise.allSettled(ctx.closers.map((close) => close()));
  await ctx.keys.close();
  await ctx.registry.close();
  await ctx.cloud.close();
  await ctx.database.close();
  await ctx.redis?.quit().catch(() => ctx.redis?.disconnect());
}
