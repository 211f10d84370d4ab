import { sql } from 'kysely';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Database } from '../storage/database.js';
import type { ApiKeysTable } from '../storage/schema.js';
import type { KeyView } from '../schema/admin-wire.js';
import { generateKey, hashKey } from './hash-key.js';

export type { KeyView };

/** What an operator sets on a key; a field left out keeps its value (on create: the tier's default). */
export interface KeyFields {
  name?: string;
  user?: number;
  tier?: number;
  allowed_models?: string[] | null;
  rpm?: number | null;
  tpm?: number | null;
  rpd?: number | null;
  max_concurrency?: number | null;
  credits?: number | null;
  /** ISO 8601 or unix seconds; null for never. */
  expires_at?: string | number | null;
}

const PREFIX_LENGTH = 10;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function keyView(row: ApiKeysTable, now = Date.now()): KeyView {
  return {
    object: 'api_key',
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    user: Number(row.user_id),
    tier: Number(row.tier),
    allowed_models: row.allowed_models ? (JSON.parse(row.allowed_models) as string[]) : null,
    rpm: row.rpm,
    tpm: row.tpm,
    rpd: row.rpd,
    max_concurrency: row.max_concurrency,
    credits: row.credits === null ? null : Number(row.credits),
    expires_at: iso(row.expires_at === null ? null : Number(row.expires_at)),
    created_at: iso(Number(row.created_at))!,
    revoked_at: iso(row.revoked_at === null ? null : Number(row.revoked_at)),
    status: row.revoked_at !== null ? 'revoked' : row.expires_at !== null && Number(row.expires_at) <= now ? 'expired' : 'active',
  };
}

function toMillis(value: string | number | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ApiError('invalid_request', `expires_at must be an ISO 8601 date or unix seconds, got ${JSON.stringify(value)}`, { param: 'expires_at' });
  return ms;
}

function columns(fields: KeyFields): Partial<ApiKeysTable> {
  const out: Partial<ApiKeysTable> = {};
  if (fields.name !== undefined) out.name = fields.name;
  if (fields.user !== undefined) out.user_id = fields.user;
  if (fields.tier !== undefined) out.tier = fields.tier;
  if (fields.allowed_models !== undefined) out.allowed_models = fields.allowed_models === null ? null : JSON.stringify(fields.allowed_models);
  if (fields.rpm !== undefined) out.rpm = fields.rpm;
  if (fields.tpm !== undefined) out.tpm = fields.tpm;
  if (fields.rpd !== undefined) out.rpd = fields.rpd;
  if (fields.max_concurrency !== undefined) out.max_concurrency = fields.max_concurrency;
  if (fields.credits !== undefined) out.credits = fields.credits;
  const expires = toMillis(fields.expires_at);
  if (expires !== undefined) out.expires_at = expires;
  return out;
}

/**
 * Keys as operators manage them, for the admin API and the CLI alike. Every change calls
 * `changed`, which drops this process's key cache so the change applies at once here (other
 * instances see it within the cache's few seconds).
 */
export class KeyRecords {
  constructor(
    private readonly database: Database,
    private readonly changed: () => void = () => undefined,
  ) {}

  /** Creates a key (and, without `user`, a user of its own). The secret is returned only here. */
  async create(fields: KeyFields & { name: string }): Promise<{ view: KeyView; key: string }> {
    const db = this.database.db;
    const now = Date.now();
    let userId = fields.user;
    if (userId === undefined) {
      const user = await db.insertInto('users').values({ name: fields.name, created_at: now }).returning('id').executeTakeFirstOrThrow();
      userId = Number(user.id);
    } else if (!(await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst())) {
      throw new ApiError('invalid_request', `There is no user ${userId}.`, { param: 'user' });
    }
    const key = generateKey();
    const row: ApiKeysTable = {
      id: newId('key_'),
      user_id: userId,
      name: fields.name,
      key_hash: hashKey(key),
      prefix: key.slice(0, PREFIX_LENGTH),
      tier: 0,
      allowed_models: null,
      rpm: null,
      tpm: null,
      rpd: null,
      max_concurrency: null,
      credits: null,
      expires_at: null,
      revoked_at: null,
      created_at: now,
      ...columns({ ...fields, user: userId }),
    };
    await db.insertInto('api_keys').values(row).execute();
    this.changed();
    return { view: keyView(row, now), key };
  }

  async list(filter: { user?: number; includeRevoked?: boolean } = {}): Promise<KeyView[]> {
    let query = this.database.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
    if (filter.user !== undefined) query = query.where('user_id', '=', filter.user);
    if (!filter.includeRevoked) query = query.where('revoked_at', 'is', null);
    const now = Date.now();
    return (await query.execute()).map((row) => keyView(row, now));
  }

  async get(id: string): Promise<KeyView> {
    const row = await this.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('not_found', `There is no key ${id}.`, { param: 'id' });
    return keyView(row);
  }

  async update(id: string, fields: KeyFields): Promise<KeyView> {
    const set = columns(fields);
    if (fields.user !== undefined && !(await this.database.db.selectFrom('users').select('id').where('id', '=', fields.user).executeTakeFirst())) {
      throw new ApiError('invalid_request', `There is no user ${fields.user}.`, { param: 'user' });
    }
    if (Object.keys(set).length > 0) {
      const result = await this.database.db.updateTable('api_keys').set(set).where('id', '=', id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new ApiError('not_found', `There is no key ${id}.`, { param: 'id' });
      this.changed();
    }
    return this.get(id);
  }

  /** Revokes a key: from now on it is a 401. Revoking twice keeps the first time. */
  async revoke(id: string): Promise<KeyView> {
    await this.get(id);
    await this.database.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    this.changed();
    return this.get(id);
  }

  /** Adds to (or, negative, takes from) a key's balance atomically; a key without a balance gets one. */
  async addCredits(id: string, amount: number): Promise<KeyView> {
    const result = await this.database.db
      .updateTable('api_keys')
      .set({ credits: sql<number>`COALESCE(credits, 0) + ${amount}` })
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new ApiError('not_found', `There is no key ${id}.`, { param: 'id' });
    this.changed();
    return this.get(id);
  }
}
