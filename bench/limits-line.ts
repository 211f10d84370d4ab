/**
 * The bench line with limits and credits switched on: a second gateway whose key has requests,
 * tokens and requests-per-day limits, a concurrency limit and a credit balance, with the catalog's
 * per-model limits enforced — all high enough never to refuse, so every check and debit runs.
 * Measured in slices alternating with the bare relay (the public key, no limits), so both see the
 * same machine.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';

export const BENCH_ADMIN_KEY = 'bench-admin-key';

/** Environment and config file for a gateway with limits and credits on. */
export function limitsGatewayEnv(dataDir: string): Record<string, string> {
  const config = path.join(dataDir, 'limits.yaml');
  writeFileSync(config, 'models:\n  gpt-4o-mini:\n    limits: [1000000000, 1000000000, 1000000000, 1000000000]\n');
  return { OPENSQ_ADMIN_KEY: BENCH_ADMIN_KEY, OPENSQ_MODEL_LIMITS: 'on', OPENSQ_CONFIG: config };
}

/** Creates the limited key through the admin API; returns its request headers. */
export async function limitedKeyHeaders(origin: string): Promise<Record<string, string>> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const res = await pool.request({
      method: 'POST',
      path: '/admin/keys',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` },
      body: JSON.stringify({ name: 'bench limits', rpm: 1e9, tpm: 1e12, rpd: 1e12, max_concurrency: 100_000, credits: 1e9 }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`could not create the bench key: HTTP ${res.statusCode}: ${text}`);
    return { 'content-type': 'application/json', authorization: `Bearer ${(JSON.parse(text) as { key: string }).key}` };
  } finally {
    await pool.close();
  }
}

export interface LimitsLine {
  bareCpuMsPerRequest: number;
  limitsCpuMsPerRequest: number;
  bareRps: number;
  limitsRps: number;
  errors: number;
  firstError?: string;
}

export function formatLimitsLine(r: LimitsLine, connections: number): string[] {
  const added = r.limitsCpuMsPerRequest - r.bareCpuMsPerRequest;
  return [
    `(d) limits and credits on, ${connections} connections, non-streaming, slices alternating with the bare relay`,
    `  bare relay (public key, no limits):          ${r.bareCpuMsPerRequest.toFixed(3)} ms CPU/req = ${Math.round(1000 / r.bareCpuMsPerRequest).toLocaleString('en-US')} req/s/core (${Math.round(r.bareRps).toLocaleString('en-US')} req/s)`,
    `  key with rpm/tpm/rpd/concurrency + credits:  ${r.limitsCpuMsPerRequest.toFixed(3)} ms CPU/req = ${Math.round(1000 / r.limitsCpuMsPerRequest).toLocaleString('en-US')} req/s/core (${Math.round(r.limitsRps).toLocaleString('en-US')} req/s)`,
    `  limits, credit reservation and settlement cost ${added >= 0 ? '+' : ''}${added.toFixed(3)} ms CPU per request${r.errors ? `; ${r.errors} errors (first: ${r.firstError})` : ''}`,
  ];
}
