import pino from 'pino';
import { KeyStore } from '../auth/key-store.js';
import { loadConfigFile } from '../config/config-file.js';
import type { Settings } from '../config/settings.js';
import { openAdmission } from '../limits/admission.js';
import { Catalog } from '../routing/catalog.js';
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
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  const cloud = await openCloudStore(loadCloudSettings(env, settings.dataDir), database);
  return {
    settings,
    log,
    database,
    keys: new KeyStore(database, settings.anonymousEnabled),
    ledger: new UsageLedger(database),
    registry,
    catalog,
    admission: openAdmission,
    cloud,
    inFlight: { count: 0 },
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.registry.close();
  await ctx.cloud.close();
  await ctx.database.close();
}
