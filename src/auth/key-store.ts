import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../core/errors.js';
import type { Database } from '../storage/database.js';
import type { ApiKeysTable } from '../storage/schema.js';
import { hashKey } from './hash-key.js';
import type { KeyChangeBroadcast } from './key-change-broadcast.js';

export interface ApiKey {
  id: string;
  /** The public key `openai`, on the anonymous tier. */
  anonymous: boolean;
  userId: number;
  name: string;
  tier: number;
  allowedModels: ReadonlySet<string> | null;
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
  maxConcurrency: number | null;
  credits: number | null;
  expiresAt: number | null;
}

/** The id of the public key `openai`, seeded by the first migration. */
export const PUBLIC_KEY_ID = 'key_public';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

interface CacheEntry {
  key: ApiKey | null;
  until: number;
}

function toApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    anonymous: row.id === PUBLIC_KEY_ID,
    userId: row.user_id,
    name: row.name,
    tier: row.tier,
    allowedModels: row.allowed_models ? new Set(JSON.parse(row.allowed_models) as string[]) : null,
    rpm: row.rpm,
    tpm: row.tpm,
    rpd: row.rpd,
    maxConcurrency: row.max_concurrency,
    credits: row.credits,
    expiresAt: row.expires_at,
  };
}

/**
 * Resolves presented keys to their records. Lookups go by the key's hash, so the secret never
 * reaches the database; a short cache keeps the hot path off the database. Admin changes reach
 * other instances at once through the broadcast, and within the cache's TTL without one.
 */
export class KeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  private broadcast: KeyChangeBroadcast | undefined;

  constructor(
    private readonly database: Database,
    private readonly anonymousEnabled: boolean,
  ) {}

  /** The key a request presents, or the anonymous public key when it presents none. */
  async authenticate(presented: string | undefined): Promise<ApiKey> {
    if (presented === undefined) {
      if (!this.anonymousEnabled) {
        throw new ApiError('missing_api_key', 'You didn\'t provide an API key. Send it as "Authorization: Bearer YOUR_KEY".');
      }
      presented = 'openai';
    }
    if (presented === 'openai' && !this.anonymousEnabled) {
      throw new ApiError('invalid_api_key', 'The public key is disabled on this server.');
    }
    const now = Date.now();
    // Cached by the presented key itself: hashing it on every request would cost more than the lookup.
    let entry = this.cache.get(presented);
    if (!entry || entry.until < now) {
      entry = { key: await this.load(hashKey(presented)), until: now + CACHE_TTL_MS };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(presented, entry);
    }
    const key = entry.key;
    if (!key || (key.expiresAt !== null && key.expiresAt <= now)) {
      throw new ApiError('invalid_api_key', `Incorrect API key provided: ${mask(presented)}.`);
    }
    return key;
  }

  /** Drops cached records, e.g. after an admin change on this instance. */
  invalidate(): void {
    this.cache.clear();
  }

  /** After an admin change: drops this process's cached records and tells the other processes to. */
  changed(): void {
    this.cache.clear();
    this.broadcast?.publish();
  }

  /** Lets `changed` reach the other instances and workers. */
  setBroadcast(broadcast: KeyChangeBroadcast): void {
    this.broadcast = broadcast;
  }

  async close(): Promise<void> {
    await this.broadcast?.close();
  }

  private async load(hash: string): Promise<ApiKey | null> {
    const row = await this.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) return null;
    return toApiKey(row);
  }
}

/** Shows a key as OpenAI does in its errors: a few characters at each end. */
function mask(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}
