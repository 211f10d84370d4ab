import { type SelectQueryBuilder, sql } from 'kysely';
import type { UsageGroup, UsageRowView, UsageTotals } from '../schema/admin-wire.js';
import type { Database } from '../storage/database.js';
import type { Schema, UsageTable } from '../storage/schema.js';
import { DAY_MS, HOUR_MS } from '../time/zone-time.js';
import { readRolledUntil } from './rollup-usage.js';

export interface UsageFilter {
  keyId?: string;
  userId?: number;
  model?: string;
  /** Unix milliseconds, inclusive. */
  from?: number;
  /** Unix milliseconds, exclusive. */
  to?: number;
}

export type GroupBy = 'key' | 'user' | 'model' | 'day';
export type { UsageGroup, UsageRowView, UsageTotals };


const RAW_GROUP = { key: 'key_id', user: 'user_id', model: 'model', day: sql.raw<number>(`ts / ${DAY_MS}`) } as const;
const ROLLED_GROUP = { key: 'key_id', user: 'user_id', model: 'model', day: sql.raw<number>('hour / 24') } as const;

/** A usage row as the admin API shows it: ISO time, numbers as numbers (Postgres returns bigints as text), `stream` a boolean. */
export function usageRowView(row: UsageTable & { id: number }): UsageRowView {
  const { ts, user_id, stream, id, attempts: _attempts, ...rest } = row;
  return {
    id: Number(id),
    created_at: new Date(Number(ts)).toISOString(),
    user: Number(user_id),
    ...rest,
    prompt_tokens: Number(rest.prompt_tokens),
    completion_tokens: Number(rest.completion_tokens),
    cached_tokens: Number(rest.cached_tokens),
    cache_write_tokens: Number(rest.cache_write_tokens),
    builtin_tool_calls: Number(rest.builtin_tool_calls),
    cost: Number(rest.cost),
    latency_ms: Number(rest.latency_ms),
    ttft_ms: rest.ttft_ms === null ? null : Number(rest.ttft_ms),
    http_status: Number(rest.http_status),
    status: rest.status as UsageRowView['status'],
    stream: Number(stream) === 1,
  };
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function groupLabel(groupBy: GroupBy | undefined, value: unknown): Partial<UsageGroup> {
  if (groupBy === 'key') return { key_id: String(value) };
  if (groupBy === 'user') return { user: Number(value) };
  if (groupBy === 'model') return { model: String(value) };
  if (groupBy === 'day') return { day: new Date(Number(value) * DAY_MS).toISOString().slice(0, 10) };
  return {};
}

/**
 * Usage queries of the admin API and the CLI: raw rows, and totals grouped by key, user, model or
 * UTC day. Totals read the hourly rollups for the hours already rolled up and raw rows after them,
 * so pruning raw rows never changes them.
 */
export class UsageReport {
  constructor(private readonly database: Database) {}

  private filtered<T extends SelectQueryBuilder<Schema, 'usage', object>>(query: T, filter: UsageFilter): T {
    let q = query as SelectQueryBuilder<Schema, 'usage', object>;
    if (filter.keyId !== undefined) q = q.where('key_id', '=', filter.keyId);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.model !== undefined) q = q.where('model', '=', filter.model);
    if (filter.from !== undefined) q = q.where('ts', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('ts', '<', filter.to);
    return q as T;
  }

  /** The newest raw rows first. */
  async rows(filter: UsageFilter, limit = 100): Promise<UsageRowView[]> {
    const rows = await this.filtered(this.database.db.selectFrom('usage').selectAll(), filter).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => usageRowView(row as UsageTable & { id: number }));
  }

  /** Totals per group (one group without `groupBy`), largest cost first, and overall. */
  async summary(filter: UsageFilter, groupBy?: GroupBy): Promise<{ groups: UsageGroup[]; totals: UsageTotals }> {
    const db = this.database.db;
    const rolledUntil = await readRolledUntil(db);
    const sums = {
      requests: sql<number>`count(*)`,
      errors: sql<number>`sum(case when status = 'ok' then 0 else 1 end)`,
      prompt_tokens: sql<number>`sum(prompt_tokens)`,
      completion_tokens: sql<number>`sum(completion_tokens)`,
      cost: sql<number>`sum(cost)`,
    };
    const raw0 = groupBy ? RAW_GROUP[groupBy] : sql.raw<number>('0');
    const rawGroup = typeof raw0 === 'string' ? sql.ref(raw0) : raw0;
    const raw = this.filtered(db.selectFrom('usage'), filter).where('ts', '>=', rolledUntil);
    const rawSelect = raw
      .select([
        rawGroup.as('g'),
        sums.requests.as('requests'),
        sums.errors.as('errors'),
        sums.prompt_tokens.as('prompt_tokens'),
        sums.completion_tokens.as('completion_tokens'),
        sums.cost.as('cost'),
      ])
    // Without a grouping, one row over everything (SQLite reads `GROUP BY 0` as a column number).
    const rawRows = await (groupBy ? rawSelect.groupBy(rawGroup) : rawSelect).execute();

    let rolled = db.selectFrom('usage_hourly').where('hour', '<', Math.floor(rolledUntil / HOUR_MS));
    if (filter.keyId !== undefined) rolled = rolled.where('key_id', '=', filter.keyId);
    if (filter.userId !== undefined) rolled = rolled.where('user_id', '=', filter.userId);
    if (filter.model !== undefined) rolled = rolled.where('model', '=', filter.model);
    if (filter.from !== undefined) rolled = rolled.where('hour', '>=', Math.floor(filter.from / HOUR_MS));
    if (filter.to !== undefined) rolled = rolled.where('hour', '<', Math.ceil(filter.to / HOUR_MS));
    const rolledGroup0 = groupBy ? ROLLED_GROUP[groupBy] : sql.raw<number>('0');
    const rolledGroup = typeof rolledGroup0 === 'string' ? sql.ref(rolledGroup0) : rolledGroup0;
    const rolledSelect = rolled
      .select([
        rolledGroup.as('g'),
        sql<number>`sum(requests)`.as('requests'),
        sql<number>`sum(errors)`.as('errors'),
        sql<number>`sum(prompt_tokens)`.as('prompt_tokens'),
        sql<number>`sum(completion_tokens)`.as('completion_tokens'),
        sql<number>`sum(cost)`.as('cost'),
      ])
    const rolledRows = await (groupBy ? rolledSelect.groupBy(rolledGroup) : rolledSelect).execute();

    const groups = new Map<string, UsageGroup & { g: unknown; latencies: number[] }>();
    const blank = (g: unknown) => ({ g, latencies: [] as number[], ...groupLabel(groupBy, g), requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0, latency_p50_ms: null, latency_p95_ms: null });
    for (const row of [...rolledRows, ...rawRows] as Array<Record<string, unknown>>) {
      if (Number(row.requests) === 0) continue;
      const id = String(row.g);
      const group = groups.get(id) ?? blank(row.g);
      group.requests += Number(row.requests);
      group.errors += Number(row.errors ?? 0);
      group.prompt_tokens += Number(row.prompt_tokens ?? 0);
      group.completion_tokens += Number(row.completion_tokens ?? 0);
      group.cost += Number(row.cost ?? 0);
      groups.set(id, group);
    }

    // Latency is the models': Cloud's file transfers would drag the percentiles toward zero.
    const latencyRows = await this.filtered(db.selectFrom('usage'), filter)
      .where('status', '=', 'ok')
      .where('endpoint', 'not like', 'cloud.%')
      .select([rawGroup.as('g'), 'latency_ms'])
      .execute();
    const all: number[] = [];
    for (const row of latencyRows as Array<{ g: unknown; latency_ms: number }>) {
      const latency = Number(row.latency_ms);
      all.push(latency);
      groups.get(String(row.g))?.latencies.push(latency);
    }
    const out: UsageGroup[] = [];
    for (const { g: _g, latencies, ...group } of groups.values()) {
      latencies.sort((a, b) => a - b);
      out.push({ ...group, cost: round(group.cost), latency_p50_ms: percentile(latencies, 0.5), latency_p95_ms: percentile(latencies, 0.95) });
    }
    out.sort((a, b) => (groupBy === 'day' ? String(a.day).localeCompare(String(b.day)) : b.cost - a.cost || b.requests - a.requests));
    all.sort((a, b) => a - b);
    const totals: UsageTotals = { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cost: 0, latency_p50_ms: percentile(all, 0.5), latency_p95_ms: percentile(all, 0.95) };
    for (const g of out) {
      totals.requests += g.requests;
      totals.errors += g.errors;
      totals.prompt_tokens += g.prompt_tokens;
      totals.completion_tokens += g.completion_tokens;
      totals.cost += g.cost;
    }
    totals.cost = round(totals.cost);
    return { groups: out, totals };
  }

  /** Failed requests by error code, status and model, most frequent first. */
  async errors(filter: UsageFilter): Promise<Array<{ error_code: string | null; http_status: number; model: string; count: number; last_at: string }>> {
    const rows = await this.filtered(this.database.db.selectFrom('usage'), filter)
      .where('status', '<>', 'ok')
      .select(['error_code', 'http_status', 'model', sql<number>`count(*)`.as('count'), sql<number>`max(ts)`.as('last')])
      .groupBy(['error_code', 'http_status', 'model'])
      .execute();
    return rows
      .map((r) => ({ error_code: r.error_code, http_status: Number(r.http_status), model: r.model, count: Number(r.count), last_at: new Date(Number(r.last)).toISOString() }))
      .sort((a, b) => b.count - a.count);
  }
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
