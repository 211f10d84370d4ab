import { sql } from 'kysely';
import type { Database } from '../storage/database.js';

export interface DeploymentUsage {
  model: string;
  provider: string | null;
  /** The upstream model name the ledger keeps as `deployment`. */
  upstream_model: string | null;
  requests: number;
  errors: number;
  /** Successful requests over all, 0–1; null without requests. */
  success_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Requests, errors and latency p50/p95 of successful requests per deployment (model, provider,
 * upstream model) since `from`, from the raw rows (the daily rollups keep no provider or latency).
 */
export async function deploymentUsage(database: Database, from: number): Promise<DeploymentUsage[]> {
  const db = database.db;
  const [counts, latencies] = await Promise.all([
    db
      .selectFrom('usage')
      .where('ts', '>=', from)
      .select(['model', 'provider', 'deployment', sql<number>`count(*)`.as('requests'), sql<number>`sum(case when status = 'ok' then 0 else 1 end)`.as('errors')])
      .groupBy(['model', 'provider', 'deployment'])
      .execute(),
    db.selectFrom('usage').where('ts', '>=', from).where('status', '=', 'ok').select(['model', 'provider', 'deployment', 'latency_ms']).execute(),
  ]);
  const id = (r: { model: string; provider: string | null; deployment: string | null }) => `${r.model}\u0000${r.provider}\u0000${r.deployment}`;
  const byId = new Map<string, number[]>();
  for (const r of latencies) {
    const list = byId.get(id(r)) ?? [];
    list.push(Number(r.latency_ms));
    byId.set(id(r), list);
  }
  return counts.map((r) => {
    const requests = Number(r.requests);
    const errors = Number(r.errors ?? 0);
    const sorted = (byId.get(id(r)) ?? []).sort((a, b) => a - b);
    return {
      model: r.model,
      provider: r.provider,
      upstream_model: r.deployment,
      requests,
      errors,
      success_rate: requests ? (requests - errors) / requests : null,
      latency_p50_ms: percentile(sorted, 0.5),
      latency_p95_ms: percentile(sorted, 0.95),
    };
  });
}
