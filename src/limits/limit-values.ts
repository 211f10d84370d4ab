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
  const anonymous = fromConfig(tiers?.anonymous);
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
