import { sql } from 'kysely';
import type { SeriesPoint } from '../schema/admin-wire.js';
import type { Database } from '../storage/database.js';
import { DAY_MS, HOUR_MS, hourShift, offsetSegments, zoneDayStart, zoneOffset } from '../time/zone-time.js';
import { readRolledUntil } from './rollup-usage.js';

export type SeriesBucket = 'hour' | 'day';
export type SeriesGroup = 'model' | 'provider' | 'key' | 'endpoint' | 'tier';
export type { SeriesPoint };

// A tier is the key's: rows are grouped by key and each key mapped to its tier afterwards (one small read of api_keys, no join).
const RAW_COLUMN: Record<SeriesGroup, string> = { model: 'model', provider: 'provider', key: 'key_id', endpoint: 'endpoint', tier: 'key_id' };

/**
 * Usage over time in hour or day buckets of a time zone (`tz`, default UTC), optionally per model,
 * provider, key, endpoint or tier and one second dimension. Hours already rolled up come from the
 * hourly totals, later ones from raw rows; the buckets add up to the range's total either way.
 * A day bucket is the zone's calendar day (23 or 25 hours around DST). Rolled-up hours belong to
 * the day their start falls in, which is exact for every zone whose offset is whole hours; raw rows
 * are exact in any zone.
 */
export async function usageSeries(
  database: Database,
  options: { from: number; to: number; bucket: SeriesBucket; tz?: string; groupBy?: SeriesGroup; subgroupBy?: SeriesGroup; keyId?: string; model?: string },
): Promise<SeriesPoint[]> {
  const db = database.db;
  const zone = options.tz ?? 'UTC';
  const bucketing = zoneBucketing({ zone, bucket: options.bucket, from: options.from, to: options.to });
  const rolledUntil = await readRolledUntil(db);
  const dims = [options.groupBy, options.groupBy ? options.subgroupBy : undefined] as const;
  const tiers = dims.includes('tier') ? new Map((await db.selectFrom('api_keys').select(['id', 'tier']).execute()).map((k) => [k.id, String(k.tier)])) : undefined;
  const label = (dim: SeriesGroup | undefined, value: unknown): string | null => {
    if (!dim || value === null || value === undefined) return null;
    return dim === 'tier' ? (tiers?.get(String(value)) ?? null) : String(value);
  };
  const points = new Map<string, SeriesPoint>();
  /** Adds a row of `b` (bucket key), `g` and `sg` (group values) and its sums. */
  const add = (row: Record<string, unknown>): void => {
    const key = Number(row.b);
    const g = label(dims[0], row.g);
    const sg = label(dims[1], row.sg);
    const id = `${key}\u0000${g}\u0000${sg}`;
    let point = points.get(id);
    if (!point) {
      point = { t: new Date(bucketing.start(key)).toISOString(), group: g, subgroup: sg, requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, cost: 0 };
      points.set(id, point);
    }
    point.requests += Number(row.requests);
    point.errors += Number(row.errors ?? 0);
    point.prompt_tokens += Number(row.prompt_tokens ?? 0);
    point.completion_tokens += Number(row.completion_tokens ?? 0);
    point.cached_tokens += Number(row.cached_tokens ?? 0);
    point.cache_write_tokens += Number(row.cache_write_tokens ?? 0);
    point.cost += Number(row.cost ?? 0);
  };
  const sums = [
    sql<number>`count(*)`.as('requests'),
    sql<number>`sum(case when status = 'ok' then 0 else 1 end)`.as('errors'),
    sql<number>`sum(prompt_tokens)`.as('prompt_tokens'),
    sql<number>`sum(completion_tokens)`.as('completion_tokens'),
    sql<number>`sum(cached_tokens)`.as('cached_tokens'),
    sql<number>`sum(cache_write_tokens)`.as('cache_write_tokens'),
    sql<number>`sum(cost)`.as('cost'),
  ];
  // Without a grouping, a constant (never in GROUP BY: SQL reads a number there as a column position).
  const groupExprs = dims.map((dim) => (dim ? sql.ref(RAW_COLUMN[dim]) : undefined));
  const groups = groupExprs.filter((e) => e !== undefined);
  const selectGroups = [(groupExprs[0] ?? sql.raw<number>('0')).as('g'), (groupExprs[1] ?? sql.raw<number>('0')).as('sg')];

  const rawKey = sql.raw<number>(bucketing.keySql('ts'));
  let raw = db.selectFrom('usage').where('ts', '>=', Math.max(options.from, rolledUntil)).where('ts', '<', options.to);
  if (options.keyId) raw = raw.where('key_id', '=', options.keyId);
  if (options.model) raw = raw.where('model', '=', options.model);
  const rawRows = await raw.select([rawKey.as('b'), ...selectGroups, ...sums]).groupBy([rawKey, ...groups]).execute();
  for (const row of rawRows as Array<Record<string, unknown>>) add(row);

  if (options.from < rolledUntil) {
    const rolledKey = sql.raw<number>(bucketing.keySql(`hour * ${HOUR_MS}`));
    let rolled = db
      .selectFrom('usage_hourly')
      .where('hour', '>=', Math.floor(options.from / HOUR_MS))
      .where('hour', '<', Math.min(Math.ceil(options.to / HOUR_MS), rolledUntil / HOUR_MS));
    if (options.keyId) rolled = rolled.where('key_id', '=', options.keyId);
    if (options.model) rolled = rolled.where('model', '=', options.model);
    const rolledRows = await rolled
      .select([
        rolledKey.as('b'),
        ...selectGroups,
        sql<number>`sum(requests)`.as('requests'),
        sql<number>`sum(errors)`.as('errors'),
        sql<number>`sum(prompt_tokens)`.as('prompt_tokens'),
        sql<number>`sum(completion_tokens)`.as('completion_tokens'),
        sql<number>`sum(cached_tokens)`.as('cached_tokens'),
        sql<number>`sum(cache_write_tokens)`.as('cache_write_tokens'),
        sql<number>`sum(cost)`.as('cost'),
      ])
      .groupBy([rolledKey, ...groups] as never)
      .execute();
    for (const row of rolledRows as Array<Record<string, unknown>>) add(row);
  }
  return [...points.values()]
    .map((p) => ({ ...p, cost: Math.round(p.cost * 1e9) / 1e9 }))
    .sort((a, b) => a.t.localeCompare(b.t) || String(a.group).localeCompare(String(b.group)) || String(a.subgroup).localeCompare(String(b.subgroup)));
}

/**
 * How instants map to buckets of a zone: `keySql(t)` is an SQL integer expression of an instant
 * column (unix ms) numbering its bucket, `start(key)` the instant that bucket begins. Days are
 * numbered on the zone's calendar, with the offset of each stretch between DST changes; hours are
 * UTC hours shifted by the offset's part below an hour (30 minutes in India), so the repeated hour
 * when clocks go back stays two buckets.
 */
function zoneBucketing({ zone, bucket, from, to }: { zone: string; bucket: SeriesBucket; from: number; to: number }): { keySql(t: string): string; start(key: number): number } {
  const segments = offsetSegments(zone, from, to);
  const shift = (offset: number): number => (bucket === 'day' ? offset : hourShift(offset));
  const size = bucket === 'day' ? DAY_MS : HOUR_MS;
  return {
    keySql(t) {
      const parts = segments.map((s) => `(${t} + ${shift(s.offset)}) / ${size}`);
      if (parts.length === 1) return parts[0];
      const whens = segments.slice(1).map((s, i) => `WHEN ${t} < ${s.from} THEN ${parts[i]}`);
      return `CASE ${whens.join(' ')} ELSE ${parts[parts.length - 1]} END`;
    },
    start(key) {
      if (bucket === 'day') return zoneDayStart(zone, key);
      return key * HOUR_MS - shift(zoneOffset(zone, key * HOUR_MS));
    },
  };
}
