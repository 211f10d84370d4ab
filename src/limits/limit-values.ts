import type { ConfigFile } from '../config/config-file.js';

/** A key's or a tier's limits; null means no limit. */
export interface LimitValues {
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
  maxConcurrency: number | null;
}

/** Default limits of keys by tier (0..3), and of the anonymous public key, which has a tier of its own. */
export interface TierTable {
  tiers: readonly LimitValues[];
  anonymous: LimitValues;
}

export const NO_LIMITS: LimitValues = { rpm: null, tpm: null, rpd: null, maxConcurrency: null };

/**
 * The anonymous tier's limits unless the operator sets others: the public key and key-less
 * requests are everyone's, so they share one key's counters, and a gateway reachable by strangers
 * must not let them spend the operator's provider keys without bound.
 */
export const ANONYMOUS_DEFAULTS: LimitValues = { rpm: 60, tpm: 200_000, rpd: 2_000, maxConcurrency: 8 };

type ConfigLimits = NonNullable<NonNullable<ConfigFile['tiers']>['0']>;

function fromConfig(spec: ConfigLimits | undefined): LimitValues {
  return { rpm: spec?.rpm ?? null, tpm: spec?.tpm ?? null, rpd: spec?.rpd ?? null, maxConcurrency: spec?.max_concurrency ?? null };
}

function envLimit(env: NodeJS.ProcessEnv, name: string): number | null | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0 (0 = no limit), got "${raw}"`);
  return value === 0 ? null : value;
}

/**
 * The tier table from OPENSQ_CONFIG's `tiers:` and, for the anonymous tier, the variables
 * OPENSQ_ANONYMOUS_RPM / _TPM / _RPD / _CONCURRENCY, which win over the file.
 */
export function loadTierTable(tiers: ConfigFile['tiers'], env: NodeJS.ProcessEnv): TierTable {
  const file = tiers?.anonymous;
  // A limit the file leaves out is the default; one it sets to null is no limit.
  const anonymous: LimitValues = {
    rpm: file?.rpm !== undefined ? file.rpm : ANONYMOUS_DEFAULTS.rpm,
    tpm: file?.tpm !== undefined ? file.tpm : ANONYMOUS_DEFAULTS.tpm,
    rpd: file?.rpd !== undefined ? file.rpd : ANONYMOUS_DEFAULTS.rpd,
    maxConcurrency: file?.max_concurrency !== undefined ? file.max_concurrency : ANONYMOUS_DEFAULTS.maxConcurrency,
  };
  const pick = (name: string, fallback: number | null): number | null => {
    const value = envLimit(env, name);
    return value === undefined ? fallback : value;
  };
  return {
    tiers: (['0', '1', '2', '3'] as const).map((t) => fromConfig(tiers?.[t])),
    anonymous: {
      rpm: pick('OPENSQ_ANONYMOUS_RPM', anonymous.rpm),
      tpm: pick('OPENSQ_ANONYMOUS_TPM', anonymous.tpm),
      rpd: pick('OPENSQ_ANONYMOUS_RPD', anonymous.rpd),
      maxConcurrency: pick('OPENSQ_ANONYMOUS_CONCURRENCY', anonymous.maxConcurrency),
    },
  };
}
