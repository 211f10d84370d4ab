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
import { DEFAULT_RETRY_POLICY } from '../routing/retry-policy.js';
import { Router } from '../routing/router.js';
import { ProviderRegistry } from '../routing/provider-registry.js';
import { loadCloudSettings } from '../storage/cloud/cloud-settings.js';
import { openCloudStore } from '../storage/cloud/open-cloud-store.js';
import { openDatabase } from '../storage/database.js';
import { UsageLedger } from '../usage/ledger.js';
import type { AppContext } from './context.js';

/** Builds the process's shared state: config, catalog, providers, database. */
export async function createContext(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<AppContext> {
  const log = pino({ level: settings.logLevel, base: undefined });
  const file = settings.configPath ? loadConfigFile(settings.configPath, env) : {};
  const registry = new ProviderRegistry(env, file.providers, settings.localThreads);
  const local = registry.get('local');
  if (local) local.options = { ...local.options, modelsDir: `${settings.dataDir}/models` };
  const catalog = new Catalog(registry, { localModel: settings.localModel, dataDir: settings.dataDir, models: file.models });
  const redis = settings.redisUrl ? await connectRedis(settings.redisUrl) : undefined;
  const cooldowns = redis ? await RedisCooldowns.attach(redis, settings.redisPrefix) : undefined;
  const health = new DeploymentHealth(settings.cooldown, cooldowns);
  await cooldowns?.loadExisting();
  const inFlight = { count: 0 };
  const metrics = new Metrics(health, () => catalog.list().flatMap((m) => m.usable), inFlight);
  const router = new Router(health, { ...DEFAULT_RETRY_POLICY, maxAttempts: settings.maxAttempts }, metrics);
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  const cloud = await openCloudStore(loadCloudSettings(env, settings.dataDir), database);
  const ledger = new UsageLedger(database);
  const keys = new KeyStore(database, settings.anonymousEnabled);
  keys.setBroadcast(await joinKeyChanges({ redis, prefix: settings.redisPrefix, onChange: () => keys.invalidate() }));
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
    admission: createAdmission({ settings, tiers: file.tiers, env, database, ledger, redis }),
    redis,
    inFlight,
    closers: cooldowns ? [() => cooldowns.close()] : [],
  };
}

/** Connects to REDIS_URL; ioredis is loaded only when used. */
async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableAutoPipelining: true });
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
