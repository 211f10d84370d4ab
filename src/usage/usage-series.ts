import { sql } from 'kysely';
import type { Database } from '../storage/database.js';
import { DAY_MS, readRolledUntil } from './rollup-usage.js';

export type SeriesBucket = 'hour' | 'day';
export type SeriesGroup = 'model' | 'provider' | 'key' | 'endpoint' | 'tier';

export interface SeriesPoint {
  /** Start of the bucket, ISO 8601 in UTC. */
  t: string;
  group: string | null;
  /** The second dimension's value, with `subgroupBy`; null otherwise. */
  subgroup: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost: number;
}

const HOUR_MS = 3_600_000;
// A tier is the key's: rows are grouped by key and each key mapped to its tier afterwards (one small read of api_keys, no join).
const RAW_COLUMN: Record<SeriesGroup, string> = { model: 'model', provider: 'provider', key: 'key_id', endpoint: 'endpoint', tier: 'key_id' };

/**
 * Usage over time in UTC buckets, optionally per model, provider, key or endpoint. Days already
 * rolled up come from the daily totals (which keep no provider, so per-provider series of pruned
 * days are counted under no provider), later ones from raw rows; the sum of the buckets is the
 * range's total either way.
 */
export async function usageSeries(
  database: Database,
  options: { from: number; to: number; bucket: SeriesBucket; groupBy?: SeriesGroup; subgroupBy?: SeriesGroup; keyId?: string; model?: string },
): Promise<SeriesPoint[]> {
  const db = database.db;
  const size = options.bucket === 'day' ? DAY_MS : HOUR_MS;
  const rolledUntil = await readRolledUntil(db);
  const dims = [options.groupBy, options.groupBy ? options.subgroupBy : undefined] as const;
  const tiers = dims.includes('tier') ? new Map((await db.selectFrom('api_keys').select(['id', 'tier']).execute()).map((k) => [k.id, String(k.tier)])) : undefined;
  const label = (dim: SeriesGroup | undefined, value: unknown): string | null => {
    if (!dim || value === null || value === undefined) return null;
    return dim === 'tier' ? (tiers?.get(String(value)) ?? null) : String(value);
  };
  const points = new Map<string, SeriesPoint>();
  const add = (bucketStart: number, group: unknown, subgroup: unknown, row: Record<string, unknown>): void => {
    const t = new Date(bucketStart).toISOString();
    const g = label(dims[0], group);
    const sg = label(dims[1], subgroup);
    const id = `${t}\u0000${g}\u0000${sg}`;
    const point = points.get(id) ?? { t, group: g, subgroup: sg, requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cost: 0 };
    point.requests += Number(row.requests);
    point.errors += Number(row.errors ?? 0);
    point.prompt_tokens += Number(row.prompt_tokens ?? 0);
    point.completion_tokens += Number(row.completion_tokens ?? 0);
    point.cached_tokens += Number(row.cached_tokens ?? 0);
    point.cost += Number(row.cost ?? 0);
    points.set(id, point);
  };
  const sums = [
    sql<number>`count(*)`.as('requests'),
    sql<number>`sum(case when status = 'ok' then 0 else 1 end)`.as('errors'),
    sql<number>`sum(prompt_tokens)`.as('prompt_tokens'),
    sql<number>`sum(completion_tokens)`.as('completion_tokens'),
    sql<number>`sum(cached_tokens)`.as('cached_tokens'),
    sql<number>`sum(cost)`.as('cost'),
  ];

  const bucketExpr = sql.raw<number>(`ts / ${size}`);
  // Without a grouping, a constant (never in GROUP BY: SQL reads a number there as a column position).
  const rawExprs = dims.map((dim) => (dim ? sql.ref(RAW_COLUMN[dim]) : undefined));
  const rawGroups = rawExprs.filter((e) => e !== undefined);
  let raw = db.selectFrom('usage').where('ts', '>=', Math.max(options.from, rolledUntil)).where('ts', '<', options.to);
  if (options.keyId) raw = raw.where('key_id', '=', options.keyId);
  if (options.model) raw = raw.where('model', '=', options.model);
  const rawRows = await raw
    .select([bucketExpr.as('b'), (rawExprs[0] ?? sql.raw<number>('0')).as('g'), (rawExprs[1] ?? sql.raw<number>('0')).as('sg'), ...sums])
    .groupBy([bucketExpr, ...rawGroups])
    .execute();
  for (const row of rawRows as Array<Record<string, unknown>>) add(Math.floor(Number(row.b)) * size, row.g, row.sg, row);

  if (options.from < rolledUntil) {
    const dailyExprs = dims.map((dim) => (dim && dim !== 'provider' ? sql.ref(RAW_COLUMN[dim]) : undefined));
    let daily = db.selectFrom('usage_daily').where('day', '>=', Math.floor(options.from / DAY_MS)).where('day', '<', Math.min(Math.ceil(options.to / DAY_MS), rolledUntil / DAY_MS));
    if (options.keyId) daily = daily.where('key_id', '=', options.keyId);
    if (options.model) daily = daily.where('model', '=', options.model);
    const dailyRows = await daily
      .select([
        'day',
        (dailyExprs[0] ?? sql.raw<number>('NULL')).as('g'),
        (dailyExprs[1] ?? sql.raw<number>('NULL')).as('sg'),
        sql<number>`sum(requests)`.as('requests'),
        sql<number>`sum(errors)`.as('errors'),
        sql<number>`sum(prompt_tokens)`.as('prompt_tokens'),
        sql<number>`sum(completion_tokens)`.as('completion_tokens'),
        sql<number>`sum(cached_tokens)`.as('cached_tokens'),
        sql<number>`sum(cost)`.as('cost'),
      ])
      .groupBy(['day', ...dailyExprs.filter((e) => e !== undefined)] as never)
      .execute();
    for (const row of dailyRows as Array<Record<string, unknown>>) add(Number(row.day) * DAY_MS, row.g, row.sg, row);
  }
  return [...points.values()]
    .map((p) => ({ ...p, cost: Math.round(p.cost * 1e9) / 1e9 }))
    .sort((a, b) => a.t.localeCompare(b.t) || String(a.group).localeCompare(String(b.group)) || String(a.subgroup).localeCompare(String(b.subgroup)));
}
