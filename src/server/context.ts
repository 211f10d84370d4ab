import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { KeyStore } from '../auth/key-store.js';
import type { Settings } from '../config/settings.js';
import type { Admission } from '../limits/admission.js';
import type { Metrics } from '../observability/metrics.js';
import type { DeploymentHealth } from '../routing/deployment-health.js';
import type { Router } from '../routing/router.js';
import type { Catalog } from '../routing/catalog.js';
import type { ProviderRegistry } from '../routing/provider-registry.js';
import type { CloudStore } from '../storage/cloud/cloud-store.js';
import type { Database } from '../storage/database.js';
import type { UsageLedger } from '../usage/ledger.js';

/** What every route needs, built once per process by `createContext`. */
export interface AppContext {
  settings: Settings;
  log: Logger;
  database: Database;
  keys: KeyStore;
  ledger: UsageLedger;
  registry: ProviderRegistry;
  catalog: Catalog;
  /** Chooses deployments, retries, falls back; `health` is every deployment's circuit breaker. */
  router: Router;
  health: DeploymentHealth;
  metrics: Metrics;
  /** Limits and credits every upstream-bound request passes. */
  admission: Admission;
  /** Connections to close on shutdown (Redis, ...). */
  closers: Array<() => Promise<void>>;
  /** The Cloud file store (and where image URLs point). */
  cloud: CloudStore;
  /** The shared Redis (REDIS_URL) of a scaled-out deployment, for limits, cooldowns and counters. */
  redis: Redis | undefined;
  /** Requests being served now; shutdown waits for it to reach zero. */
  inFlight: { count: number };
}
