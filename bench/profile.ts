/**
 * Profiling (BENCH_PROFILE=1): a separate gateway under `node --cpu-prof`, so the main numbers
 * are not slowed down by the profiler.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { BENCH_OUT, ROOT, config } from './config.js';
import { emptyTotals, loadSlice, warmUp } from './measure.js';
import { stopChild } from './processes.js';
import { formatSummary, summarizeProfile, type ProfileSummary } from './profile-summary.js';
import { limitedKeyHeaders, limitsGatewayEnv } from './limits-line.js';
import { CLIENT_OPTIONS, type Route, type Target, validate } from './requests.js';
import { type Pinning, type Upstream, startGateway } from './servers.js';

export interface ProfileResult {
  /** The route and mode of the load while profiled. */
  route: string;
  kind: 'json' | 'stream';
  file: string;
  summaryFile: string;
  rps: number;
  windowed: boolean;
  summary: ProfileSummary;
  text: string;
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Profiles a fresh gateway under `config.connections`-connection load of one route's gateway path, streaming or not. */
export async function profileGateway(pinning: Pinning, upstream: Upstream, route: Route, kind: 'json' | 'stream'): Promise<ProfileResult> {
  mkdirSync(BENCH_OUT, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `gateway-${stamp}.cpuprofile`;
  const file = path.join(BENCH_OUT, name);
  const gateway = await startGateway(pinning, upstream.origin, [
    '--cpu-prof',
    '--cpu-prof-dir',
    BENCH_OUT,
    '--cpu-prof-name',
    name,
    '--cpu-prof-interval',
    String(config.profileIntervalUs),
  ], undefined, config.profileLimits ? limitsGatewayEnv : undefined);
  const target: Target = config.profileLimits ? { ...route.gateway, headers: await limitedKeyHeaders(gateway.origin) } : route.gateway;
  const pool = new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: config.connections });
  const pids = { gateway: gateway.child.pid, upstream: upstream.child.pid };
  const totals = emptyTotals();
  let fromUs = 0;
  let toUs = 0;
  try {
    await validate(pool, target, route.model);
    await warmUp(kind, pool, target, pids);
    fromUs = monotonicUs();
    await loadSlice(kind, pool, target, config.durationS * 1000, pids, totals);
    toUs = monotonicUs();
  } finally {
    await pool.close();
  }
  // The profile is written when the process exits: SIGTERM lets the gateway shut down cleanly.
  await stopChild(gateway.child, 15_000);
  if (!existsSync(file)) {
    const found = readdirSync(BENCH_OUT).filter((f) => f.endsWith('.cpuprofile'));
    throw new Error(`the gateway wrote no profile at ${file} (found: ${found.join(', ') || 'none'})`);
  }
  let summary = summarizeProfile(file, { fromUs, toUs, root: ROOT });
  let windowed = true;
  if (summary.samples < 100) {
    // The profile's clock did not match ours: fall back to the whole profile (startup included).
    summary = summarizeProfile(file, { root: ROOT });
    windowed = false;
  }
  const text = formatSummary(summary, 25);
  const summaryFile = file.replace(/\.cpuprofile$/, '.summary.txt');
  writeFileSync(summaryFile, text);
  return { route: route.name, kind, file, summaryFile, rps: totals.requests / (totals.wallMs / 1000), windowed, summary, text };
}
