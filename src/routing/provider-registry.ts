import type { CatalogEntry } from '../config/catalog-entry.js';
import type { ConfigProvider } from '../config/config-file.js';
import { ApiError } from '../core/errors.js';
import { PROVIDER_PRESETS, PROVIDER_TYPES } from '../providers/index.js';
import { guardedAdapter } from './guarded-adapter.js';
import type { CreateAdapter, ProviderAdapter, ProviderConfig, ProviderPreset, ProviderSettings, ProviderType, Timeouts } from '../providers/types.js';

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 60_000, totalMs: 600_000 };

/** The part of the process's settings provider types configure themselves from. */
export function providerSettings(settings: { dataDir: string; localThreads: number; localModel?: string }): ProviderSettings {
  return { dataDir: settings.dataDir, threads: settings.localThreads, modelLocation: settings.localModel };
}

function defaultOptions(type: ProviderType | undefined, settings: ProviderSettings | undefined): Record<string, unknown> {
  return settings && type?.defaultOptions ? type.defaultOptions(settings) : {};
}

function fromPreset(preset: ProviderPreset, env: NodeJS.ProcessEnv, settings: ProviderSettings | undefined): ProviderConfig {
  const apiKey = preset.keyVar ? env[preset.keyVar] || undefined : undefined;
  const baseUrl = (preset.baseUrlVar ? env[preset.baseUrlVar] : undefined) || preset.defaultBaseUrl;
  const type = PROVIDER_TYPES.get(preset.type);
  let missing: string | undefined;
  if (preset.requiredVar && !env[preset.requiredVar]) missing = `set ${preset.requiredVar} to use provider ${preset.name}`;
  else if (preset.keyVar && !apiKey) missing = `set ${preset.keyVar} to use provider ${preset.name}`;
  if (!missing && !type) missing = `provider type ${preset.type} is not supported by this build yet`;
  const options = { ...defaultOptions(type, settings), ...preset.options };
  return { name: preset.name, type: preset.type, apiKey, baseUrl, options, timeouts: DEFAULT_TIMEOUTS, missing };
}

interface ConfigInstance {
  name: string;
  spec: ConfigProvider;
  /** The preset of the same name and type, whose settings the file's override. */
  base: ProviderConfig | undefined;
  settings: ProviderSettings | undefined;
}

function fromConfig({ name, spec, base, settings }: ConfigInstance): ProviderConfig {
  const t = spec.timeouts ?? {};
  const timeouts: Timeouts = {
    connectMs: t.connect_ms ?? base?.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    firstByteMs: t.first_byte_ms ?? base?.timeouts.firstByteMs ?? DEFAULT_TIMEOUTS.firstByteMs,
    idleMs: t.idle_ms ?? base?.timeouts.idleMs ?? DEFAULT_TIMEOUTS.idleMs,
    totalMs: t.total_ms ?? base?.timeouts.totalMs ?? DEFAULT_TIMEOUTS.totalMs,
  };
  const apiKey = spec.api_key ?? base?.apiKey;
  const baseUrl = spec.base_url ?? base?.baseUrl;
  const type = PROVIDER_TYPES.get(spec.type);
  let missing: string | undefined;
  if (!type) missing = `provider type ${spec.type} is not supported by this build yet`;
  else if (!type.inProcess && !baseUrl) missing = `provider ${name} needs base_url in the config file`;
  const options = { ...defaultOptions(type, settings), ...base?.options, ...spec.options };
  return { name, type: spec.type, apiKey, baseUrl, options, timeouts, missing };
}

/**
 * The provider instances of this process. `load` imports the adapters of the types in use, once;
 * adapters are then built on first use. Without `settings` (a registry that
 * only reads configuration) provider types add no options of their own and discover no models.
 */
export class ProviderRegistry {
  private readonly configs = new Map<string, ProviderConfig>();
  private readonly factories = new Map<string, CreateAdapter>();
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(
    env: NodeJS.ProcessEnv,
    fileProviders: Record<string, ConfigProvider> = {},
    private readonly settings?: ProviderSettings,
  ) {
    for (const preset of PROVIDER_PRESETS) this.configs.set(preset.name, fromPreset(preset, env, settings));
    for (const [name, spec] of Object.entries(fileProviders)) {
      const base = this.configs.get(name);
      this.configs.set(name, fromConfig({ name, spec, base: base?.type === spec.type ? base : undefined, settings }));
    }
  }

  get(name: string): ProviderConfig | undefined {
    return this.configs.get(name);
  }

  all(): ProviderConfig[] {
    return [...this.configs.values()];
  }

  /** Catalog entries for the models each provider instance finds by itself, in instance order. */
  discoverModels(): CatalogEntry[] {
    const settings = this.settings;
    if (!settings) return [];
    return this.all().flatMap((config) => PROVIDER_TYPES.get(config.type)?.discoverModels?.(config.name, settings) ?? []);
  }

  /** Imports the adapter modules of the named instances' provider types (those the catalog deploys to), once each. */
  async load(instances: Iterable<string>): Promise<void> {
    const types = new Set<string>();
    for (const name of instances) {
      const config = this.configs.get(name);
      if (config && !config.missing) types.add(config.type);
    }
    await Promise.all(
      [...types].map(async (name) => {
        const type = PROVIDER_TYPES.get(name);
        if (type && !this.factories.has(name)) this.factories.set(name, await type.load());
      }),
    );
  }

  adapter(name: string): ProviderAdapter {
    let adapter = this.adapters.get(name);
    if (adapter) return adapter;
    const config = this.configs.get(name);
    if (!config) throw new ApiError('provider_not_configured', `provider ${name} is not defined`);
    if (config.missing) throw new ApiError('provider_not_configured', config.missing);
    const create = this.factories.get(config.type);
    if (!create) throw new Error(`provider type ${config.type} was not loaded: ProviderRegistry.load() was not given an instance of it`);
    adapter = guardedAdapter(create(config));
    this.adapters.set(name, adapter);
    return adapter;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close?.()));
    this.adapters.clear();
  }
}
