import type { ConfigProvider } from '../config/config-file.js';
import { ApiError } from '../core/errors.js';
import { PROVIDER_PRESETS, PROVIDER_TYPES } from '../providers/index.js';
import type { ProviderAdapter, ProviderConfig, ProviderPreset, Timeouts } from '../providers/types.js';

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, firstByteMs: 120_000, idleMs: 60_000, totalMs: 600_000 };

function fromPreset(preset: ProviderPreset, env: NodeJS.ProcessEnv): ProviderConfig {
  const apiKey = preset.keyVar ? env[preset.keyVar] || undefined : undefined;
  const baseUrl = (preset.baseUrlVar ? env[preset.baseUrlVar] : undefined) || preset.defaultBaseUrl;
  let missing: string | undefined;
  if (preset.requiredVar && !env[preset.requiredVar]) missing = `set ${preset.requiredVar} to use provider ${preset.name}`;
  else if (preset.keyVar && !apiKey) missing = `set ${preset.keyVar} to use provider ${preset.name}`;
  if (!missing && !PROVIDER_TYPES.has(preset.type)) missing = `provider type ${preset.type} is not supported by this build yet`;
  return { name: preset.name, type: preset.type, apiKey, baseUrl, options: {}, timeouts: DEFAULT_TIMEOUTS, missing };
}

function fromConfig(name: string, spec: ConfigProvider, base: ProviderConfig | undefined): ProviderConfig {
  const t = spec.timeouts ?? {};
  const timeouts: Timeouts = {
    connectMs: t.connect_ms ?? base?.timeouts.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    firstByteMs: t.first_byte_ms ?? base?.timeouts.firstByteMs ?? DEFAULT_TIMEOUTS.firstByteMs,
    idleMs: t.idle_ms ?? base?.timeouts.idleMs ?? DEFAULT_TIMEOUTS.idleMs,
    totalMs: t.total_ms ?? base?.timeouts.totalMs ?? DEFAULT_TIMEOUTS.totalMs,
  };
  const apiKey = spec.api_key ?? base?.apiKey;
  const baseUrl = spec.base_url ?? base?.baseUrl;
  let missing: string | undefined;
  if (!PROVIDER_TYPES.has(spec.type)) missing = `provider type ${spec.type} is not supported by this build yet`;
  else if (spec.type !== 'local' && !baseUrl) missing = `provider ${name} needs base_url in the config file`;
  return { name, type: spec.type, apiKey, baseUrl, options: { ...base?.options, ...spec.options }, timeouts, missing };
}

/** The provider instances of this process, with their adapters built on first use. */
export class ProviderRegistry {
  private readonly configs = new Map<string, ProviderConfig>();
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(env: NodeJS.ProcessEnv, fileProviders: Record<string, ConfigProvider> = {}, localThreads = 1) {
    for (const preset of PROVIDER_PRESETS) this.configs.set(preset.name, fromPreset(preset, env));
    const local = this.configs.get('local');
    if (local) local.options = { threads: localThreads };
    for (const [name, spec] of Object.entries(fileProviders)) {
      const base = this.configs.get(name);
      const merged = fromConfig(name, spec, base?.type === spec.type ? base : undefined);
      if (merged.type === 'local') merged.options = { threads: localThreads, ...merged.options };
      this.configs.set(name, merged);
    }
  }

  get(name: string): ProviderConfig | undefined {
    return this.configs.get(name);
  }

  all(): ProviderConfig[] {
    return [...this.configs.values()];
  }

  adapter(name: string): ProviderAdapter {
    let adapter = this.adapters.get(name);
    if (adapter) return adapter;
    const config = this.configs.get(name);
    if (!config) throw new ApiError('provider_not_configured', `provider ${name} is not defined`);
    if (config.missing) throw new ApiError('provider_not_configured', config.missing);
    const type = PROVIDER_TYPES.get(config.type);
    if (!type) throw new ApiError('provider_not_configured', `provider type ${config.type} is not supported`);
    adapter = type.create(config);
    this.adapters.set(name, adapter);
    return adapter;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close?.()));
    this.adapters.clear();
  }
}
