import type { CatalogEntry, ModelCost, ModelKind } from '../config/catalog-entry.js';
import type { ConfigModel } from '../config/config-file.js';
import { DEFAULT_CATALOG } from '../config/default-catalog.js';
import { defaultMaxOutputTokens, defaultPrice, paidByDefault } from '../config/default-prices.js';
import { PROVIDER_TYPES } from '../providers/index.js';
import type { Capabilities, ProviderConfig, Timeouts } from '../providers/types.js';
import { DEFAULT_TIMEOUTS } from './provider-registry.js';
import type { ProviderRegistry } from './provider-registry.js';

export interface Deployment {
  provider: ProviderConfig;
  /** The model name the upstream knows. */
  model: string;
  priority: number;
  weight: number;
  maxConcurrency: number | undefined;
}

export interface Model {
  id: string;
  name: string;
  description: string;
  owner: string;
  type: 'keys' | 'provider';
  modality: 'text' | 'image' | 'sound';
  kind: ModelKind;
  endpoints: string[];
  paid: boolean;
  canStream: boolean;
  /**
   * Tools, image inputs and reasoning (`reasoning_effort`): as the catalog entry says, else (for
   * chat models) whether any deployment's provider type declares them. Routing serves a request needing one
   * only from deployments whose provider declares it too (required-capabilities.ts).
   */
  canTools: boolean;
  canVision: boolean;
  canThink: boolean;
  tier: number;
  limits: [number, number, number, number];
  cost: ModelCost;
  /** The longest answer the model writes, in tokens: what a request that sets no limit may cost. */
  maxOutputTokens: number;
  routing: 'weighted' | 'least-latency';
  /** The first deployment's provider timeouts, with the model's own overrides. */
  timeouts: Timeouts;
  /** The timeouts the model sets itself, applied over each deployment's provider timeouts. */
  timeoutOverrides: Partial<Timeouts>;
  deployments: Deployment[];
  /** Deployments whose provider is configured, by priority; empty when the model is down. */
  usable: Deployment[];
  /** Why the model cannot be served, naming what to set; undefined when it can. */
  downReason: string | undefined;
}

const DEFAULT_LIMITS: [number, number, number, number] = [20, 60, 120, 300];

function fromConfig(id: string, spec: ConfigModel, base: CatalogEntry | undefined): CatalogEntry {
  return {
    ...base,
    id,
    ...(spec.name !== undefined && { name: spec.name }),
    ...(spec.description !== undefined && { description: spec.description }),
    ...(spec.owner !== undefined && { owner: spec.owner }),
    ...(spec.type !== undefined && { type: spec.type }),
    ...(spec.modality !== undefined && { modality: spec.modality }),
    ...(spec.kind !== undefined && { kind: spec.kind }),
    ...(spec.endpoints !== undefined && { endpoints: spec.endpoints }),
    ...(spec.paid !== undefined && { paid: spec.paid }),
    ...(spec.can_stream !== undefined && { canStream: spec.can_stream }),
    ...(spec.can_tools !== undefined && { canTools: spec.can_tools }),
    ...(spec.can_vision !== undefined && { canVision: spec.can_vision }),
    ...(spec.can_think !== undefined && { canThink: spec.can_think }),
    ...(spec.tier !== undefined && { tier: spec.tier }),
    ...(spec.max_output_tokens !== undefined && { maxOutputTokens: spec.max_output_tokens }),
    ...(spec.limits !== undefined && { limits: spec.limits }),
    ...(spec.cost !== undefined && { cost: spec.cost }),
    ...(spec.routing !== undefined && { routing: spec.routing }),
    ...(spec.timeouts !== undefined && {
      timeouts: { connectMs: spec.timeouts.connect_ms, firstByteMs: spec.timeouts.first_byte_ms, idleMs: spec.timeouts.idle_ms, totalMs: spec.timeouts.total_ms },
    }),
    deployments: spec.deployments?.map((d) => ({ provider: d.provider, model: d.model, priority: d.priority, weight: d.weight, maxConcurrency: d.max_concurrency })) ?? base?.deployments ?? [],
  };
}

export interface CatalogSources {
  models?: Record<string, ConfigModel>;
  /** OPENSQ_CONFIG's `aliases`: a requested id (exact, or a pattern with `*`) → a catalog model id. */
  aliases?: Record<string, string>;
}

interface WildcardAlias {
  pattern: RegExp;
  /** Characters that are not `*`: the more, the more specific, and the earlier it is tried. */
  literal: number;
  target: Model;
}

/** The public models: the default catalog, the models providers discover (local GGUF files) and the config file's additions. */
export class Catalog {
  private readonly models = new Map<string, Model>();
  private readonly exactAliases = new Map<string, Model>();
  private readonly wildcardAliases: WildcardAlias[] = [];

  constructor(registry: ProviderRegistry, sources: CatalogSources = {}) {
    const entries = new Map<string, CatalogEntry>(DEFAULT_CATALOG.map((e) => [e.id, e]));
    for (const entry of registry.discoverModels()) if (!entries.has(entry.id)) entries.set(entry.id, entry);
    for (const [id, spec] of Object.entries(sources.models ?? {})) {
      entries.set(id, fromConfig(id, spec, entries.get(id)));
    }
    for (const entry of entries.values()) this.models.set(entry.id, this.resolve(entry, registry));
    for (const [alias, targetId] of Object.entries(sources.aliases ?? {})) {
      const target = this.models.get(targetId);
      if (!target) throw new Error(`aliases.${alias}: the model ${targetId} is not in the catalog`);
      if (!alias.includes('*')) this.exactAliases.set(alias, target);
      else this.wildcardAliases.push({ pattern: wildcard(alias), literal: alias.replaceAll('*', '').length, target });
    }
    // Stable: equally specific patterns keep the file's order.
    this.wildcardAliases.sort((a, b) => b.literal - a.literal);
  }

  get(id: string): Model | undefined {
    return this.models.get(id);
  }

  /** The model a request names: the catalog's own id first, else an exact alias, else the most specific wildcard alias. */
  find(id: string): Model | undefined {
    const model = this.models.get(id) ?? this.exactAliases.get(id);
    if (model || this.wildcardAliases.length === 0) return model;
    return this.wildcardAliases.find((a) => a.pattern.test(id))?.target;
  }

  list(): Model[] {
    return [...this.models.values()];
  }

  private resolve(entry: CatalogEntry, registry: ProviderRegistry): Model {
    const deployments: Deployment[] = [];
    const reasons: string[] = [];
    for (const spec of entry.deployments) {
      const provider = registry.get(spec.provider);
      if (!provider) {
        reasons.push(`provider ${spec.provider} is not defined (add it under providers: in OPENSQ_CONFIG)`);
        continue;
      }
      deployments.push({ provider, model: spec.model, priority: spec.priority ?? 0, weight: spec.weight ?? 1, maxConcurrency: spec.maxConcurrency });
    }
    const usable = deployments.filter((d) => !d.provider.missing).sort((a, b) => a.priority - b.priority);
    for (const d of deployments) if (d.provider.missing) reasons.push(d.provider.missing);
    const modality = entry.modality ?? 'text';
    const kind = entry.kind ?? (modality === 'image' ? 'image' : modality === 'sound' ? 'speech' : 'chat');
    const chat = kind === 'chat';
    const cost = entry.cost ?? defaultPrice(entry.id) ?? { input: 0, output: 0 };
    return {
      id: entry.id,
      name: entry.name ?? entry.id,
      description: entry.description ?? '',
      owner: entry.owner ?? deployments[0]?.provider.name ?? 'opensq',
      type: entry.type ?? 'keys',
      modality,
      kind,
      endpoints: entry.endpoints ?? ['API2.0', 'OpenAI SDK'],
      paid: entry.paid ?? paidByDefault(cost),
      canStream: entry.canStream ?? modality === 'text',
      canTools: entry.canTools ?? (chat && anyDeclares(deployments, 'tools')),
      canVision: entry.canVision ?? (chat && anyDeclares(deployments, 'images')),
      canThink: entry.canThink ?? (chat && anyDeclares(deployments, 'thinking')),
      tier: entry.tier ?? 0,
      limits: entry.limits ?? DEFAULT_LIMITS,
      cost,
      maxOutputTokens: entry.maxOutputTokens ?? defaultMaxOutputTokens(entry.id),
      routing: entry.routing ?? 'weighted',
      timeouts: { ...(deployments[0]?.provider.timeouts ?? DEFAULT_TIMEOUTS), ...definedOnly(entry.timeouts ?? {}) },
      timeoutOverrides: definedOnly(entry.timeouts ?? {}),
      deployments,
      usable,
      downReason: usable.length > 0 ? undefined : reasons.length > 0 ? [...new Set(reasons)].join('; ') : 'the model has no deployment',
    };
  }
}

/** A pattern where `*` stands for any characters (none included) and everything else for itself. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function anyDeclares(deployments: Deployment[], feature: keyof Capabilities): boolean {
  return deployments.some((d) => PROVIDER_TYPES.get(d.provider.type)?.capabilities[feature] === true);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
