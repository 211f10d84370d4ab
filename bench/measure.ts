/** The measurements: (a) sequential latency on one connection, (b) concurrent load with the gateway's CPU time. */
import { Pool } from 'undici';
import { MAX_LOAD_ERRORS, SEQUENTIAL_BLOCK, SEQUENTIAL_TIME_LIMIT_MS, config } from './config.js';
import { NoiseMeter, cpuSplit, cpuTicks, ticksToMs } from './proc-stats.js';
import { DIRECT, GATEWAY, type Target, callJson, callStream } from './requests.js';
import { type Dist, dist, round } from './stats.js';

export interface SequentialResult {
  requests: number;
  truncated: boolean;
  direct: Dist;
  gateway: Dist;
  directFirst?: Dist;
  gatewayFirst?: Dist;
  /** Streaming: the average number of reads a stream's body arrived in. */
  directReads?: number;
  gatewayReads?: number;
}

export async function sequential(kind: 'json' | 'stream', pools: { direct: Pool; gateway: Pool }, warmup: number, count: number): Promise<SequentialResult> {
  const direct: number[] = [];
  const gateway: number[] = [];
  const directFirst: number[] = [];
  const gatewayFirst: number[] = [];
  const reads = { direct: 0, gateway: 0 };
  const deadline = performance.now() + SEQUENTIAL_TIME_LIMIT_MS;
  let truncated = false;
  // Paths alternate in blocks rather than request by request: a server that sat idle while the
  // other path ran pays a cold wake-up on every request, which no busy gateway pays in production.
  // Blocks still interleave over time, so machine noise hits both paths alike.
  const block = SEQUENTIAL_BLOCK;
  for (let i = 0; i < warmup + count; i += block) {
    if (performance.now() > deadline) {
      truncated = true;
      break;
    }
    const measured = i >= warmup;
    const order: Target[] = (i / block) % 2 === 0 ? [DIRECT, GATEWAY] : [GATEWAY, DIRECT];
    for (const target of order) for (let j = 0; j < block; j++) {
      const pool = target === DIRECT ? pools.direct : pools.gateway;
      if (kind === 'json') {
        const t = await callJson(pool, target);
        if (measured) (target === DIRECT ? direct : gateway).push(t);
      } else {
        const t = await callStream(pool, target);
        if (measured) {
          (target === DIRECT ? direct : gateway).push(t.done);
          (target === DIRECT ? directFirst : gatewayFirst).push(t.first);
          reads[target.name] += t.reads;
        }
      }
    }
  }
  const result: SequentialResult = { requests: direct.length, truncated, direct: dist(direct), gateway: dist(gateway) };
  if (kind === 'stream') {
    result.directFirst = dist(directFirst);
    result.gatewayFirst = dist(gatewayFirst);
    result.directReads = reads.direct / Math.max(1, directFirst.length);
    result.gatewayReads = reads.gateway / Math.max(1, gatewayFirst.length);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// (b) concurrent load

export interface SliceTotals {
  requests: number;
  errors: number;
  wallMs: number;
  latencies: number[];
  gatewayTicks: number;
  /** The kernel part (stime) of gatewayTicks. */
  gatewaySystemTicks: number;
  upstreamTicks: number;
  generatorUs: number;
  firstError?: string;
}

export function emptyTotals(): SliceTotals {
  return { requests: 0, errors: 0, wallMs: 0, latencies: [], gatewayTicks: 0, gatewaySystemTicks: 0, upstreamTicks: 0, generatorUs: 0 };
}

export interface Pids {
  gateway: number;
  upstream: number;
}

/** `connections` workers send back-to-back requests for `ms`; the slice ends when all have finished. */
export async function loadSlice(kind: 'json' | 'stream', pool: Pool, target: Target, ms: number, pids: Pids, totals: SliceTotals, record = true, noise?: NoiseMeter): Promise<void> {
  noise?.begin();
  const gw0 = cpuSplit(pids.gateway);
  const up0 = cpuTicks(pids.upstream);
  const gen0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + ms;
  let requests = 0;
  let errors = 0;
  const latencies: number[] = [];
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && errors < MAX_LOAD_ERRORS) {
      try {
        const t = kind === 'json' ? await callJson(pool, target) : (await callStream(pool, target)).done;
        latencies.push(t);
        requests++;
      } catch (error) {
        errors++;
        totals.firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: config.connections }, worker));
  const wall = performance.now() - started;
  const gen = process.cpuUsage(gen0);
  noise?.end();
  if (!record) return;
  totals.requests += requests;
  totals.errors += errors;
  totals.wallMs += wall;
  for (const t of latencies) totals.latencies.push(t);
  const gw1 = cpuSplit(pids.gateway);
  totals.gatewayTicks += gw1.user + gw1.system - gw0.user - gw0.system;
  totals.gatewaySystemTicks += gw1.system - gw0.system;
  totals.upstreamTicks += cpuTicks(pids.upstream) - up0;
  totals.generatorUs += gen.user + gen.system;
}

export interface LoadTargetResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  latency: Dist;
  /** Share of one core used, in %. */
  gatewayCpuPct: number;
  core1CpuPct: number;
  firstError?: string;
}

export interface LoadResult {
  kind: 'json' | 'stream';
  direct: LoadTargetResult;
  gateway: LoadTargetResult & { cpuMsPerRequest: number; kernelMsPerRequest: number; rpsPerCore: number; saturated: boolean };
}

export function summarizeTotals(t: SliceTotals): LoadTargetResult {
  const seconds = t.wallMs / 1000;
  return {
    requests: t.requests,
    errors: t.errors,
    seconds: round(seconds, 2),
    rps: t.requests / seconds,
    latency: dist(t.latencies),
    gatewayCpuPct: (100 * ticksToMs(t.gatewayTicks)) / t.wallMs,
    core1CpuPct: (100 * (ticksToMs(t.upstreamTicks) + t.generatorUs / 1000)) / t.wallMs,
    firstError: t.firstError,
  };
}

export async function load(kind: 'json' | 'stream', pools: { direct: Pool; gateway: Pool }, pids: Pids, noise: NoiseMeter): Promise<LoadResult> {
  const direct = emptyTotals();
  const gateway = emptyTotals();
  const slices = Math.max(1, Math.round(config.durationS / config.sliceS));
  const sliceMs = (config.durationS * 1000) / slices;
  for (let s = 0; s < slices; s++) {
    const order: Target[] = s % 2 === 0 ? [GATEWAY, DIRECT] : [DIRECT, GATEWAY];
    for (const target of order) {
      await loadSlice(kind, target === DIRECT ? pools.direct : pools.gateway, target, sliceMs, pids, target === DIRECT ? direct : gateway, true, noise);
    }
  }
  const g = summarizeTotals(gateway);
  const cpuMsPerRequest = ticksToMs(gateway.gatewayTicks) / gateway.requests;
  const kernelMsPerRequest = ticksToMs(gateway.gatewaySystemTicks) / gateway.requests;
  return {
    kind,
    direct: summarizeTotals(direct),
    gateway: { ...g, cpuMsPerRequest, kernelMsPerRequest, rpsPerCore: 1000 / cpuMsPerRequest, saturated: g.gatewayCpuPct >= 90 },
  };
}
