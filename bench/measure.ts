/** The measurements: (a) sequential latency on one connection, (b) concurrent load with the gateway's CPU time. */
import { Pool } from 'undici';
import { MAX_LOAD_ERRORS, SEQUENTIAL_BLOCK, SEQUENTIAL_TIME_LIMIT_MS, WARMUP_MAX_MS, config } from './config.js';
import { NoiseMeter, cpuSplit, cpuTicks, ticksToMs } from './proc-stats.js';
import { type Route, type Target, callJson, callStream } from './requests.js';
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

/** One route's two paths, their one-connection pools and how many warm-up requests each path gets. */
export interface Lane {
  route: Route;
  pools: { direct: Pool; gateway: Pool };
  warmup: number;
}

interface Samples {
  direct: number[];
  gateway: number[];
  directFirst: number[];
  gatewayFirst: number[];
  reads: { direct: number; gateway: number };
}

/**
 * (a) for every lane: `count` sequential requests per path after the lane's warm-up, one
 * connection per path. Paths alternate in blocks rather than request by request: a server that
 * sat idle while the other path ran pays a cold wake-up on every request, which no busy gateway
 * pays in production. Blocks still interleave over time, so machine noise hits both paths alike;
 * with several lanes, each round runs one block pair per lane (in turn, the order reversed every
 * other round), so the routes are measured over the same stretch of time too.
 */
export async function sequential(kind: 'json' | 'stream', lanes: readonly Lane[], count: number): Promise<SequentialResult[]> {
  const deadline = performance.now() + SEQUENTIAL_TIME_LIMIT_MS;
  const block = SEQUENTIAL_BLOCK;
  const samples: Samples[] = lanes.map(() => ({ direct: [], gateway: [], directFirst: [], gatewayFirst: [], reads: { direct: 0, gateway: 0 } }));
  let truncated = false;

  const runBlocks = async (lane: Lane, round: number, into: Samples | undefined): Promise<void> => {
    const { direct, gateway } = lane.route;
    const order: Target[] = round % 2 === 0 ? [direct, gateway] : [gateway, direct];
    for (const target of order) {
      const side = target.side;
      const pool = lane.pools[side];
      for (let j = 0; j < block; j++) {
        if (kind === 'json') {
          const t = await callJson(pool, target);
          into?.[side].push(t);
        } else {
          const t = await callStream(pool, target);
          if (into) {
            into[side].push(t.done);
            into[side === 'direct' ? 'directFirst' : 'gatewayFirst'].push(t.first);
            into.reads[side] += t.reads;
          }
        }
      }
    }
  };
  const late = (): boolean => {
    if (performance.now() > deadline) truncated = true;
    return truncated;
  };

  // Warm-up: each lane on its own, its paths alternating in blocks as below.
  for (const lane of lanes) {
    for (let i = 0, round = 0; i < lane.warmup && !late(); i += block, round++) await runBlocks(lane, round, undefined);
  }
  // Measured: rounds of one block pair per lane.
  for (let i = 0, round = 0; i < count && !late(); i += block, round++) {
    const order = round % 2 === 0 ? lanes.map((_, n) => n) : lanes.map((_, n) => lanes.length - 1 - n);
    for (const n of order) {
      if (late()) break;
      await runBlocks(lanes[n], round, samples[n]);
    }
  }

  return samples.map((s) => {
    const result: SequentialResult = { requests: s.direct.length, truncated, direct: dist(s.direct), gateway: dist(s.gateway) };
    if (kind === 'stream') {
      result.directFirst = dist(s.directFirst);
      result.gatewayFirst = dist(s.gatewayFirst);
      result.directReads = s.reads.direct / Math.max(1, s.directFirst.length);
      result.gatewayReads = s.reads.gateway / Math.max(1, s.gatewayFirst.length);
    }
    return result;
  });
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

/**
 * Loads a process until it has served `config.warmupRequests` (at most WARMUP_MAX_MS): a fresh
 * one is measured warm, as the one beside it is (config.ts). Answers how many it served.
 */
export async function warmUp(kind: 'json' | 'stream', pool: Pool, target: Target, pids: Pids): Promise<number> {
  const totals = emptyTotals();
  const deadline = performance.now() + WARMUP_MAX_MS;
  while (totals.requests < config.warmupRequests && totals.errors < MAX_LOAD_ERRORS && performance.now() < deadline) {
    await loadSlice(kind, pool, target, 500, pids, totals);
  }
  return totals.requests;
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

export interface GatewayLoadResult extends LoadTargetResult {
  cpuMsPerRequest: number;
  kernelMsPerRequest: number;
  rpsPerCore: number;
  saturated: boolean;
}

export interface LoadResult {
  kind: 'json' | 'stream';
  direct: LoadTargetResult;
  gateway: GatewayLoadResult;
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

/** The gateway's numbers over its slices: with its CPU time per request, hence req/s per core. */
export function gatewayResult(totals: SliceTotals): GatewayLoadResult {
  const g = summarizeTotals(totals);
  const cpuMsPerRequest = ticksToMs(totals.gatewayTicks) / totals.requests;
  const kernelMsPerRequest = ticksToMs(totals.gatewaySystemTicks) / totals.requests;
  return { ...g, cpuMsPerRequest, kernelMsPerRequest, rpsPerCore: 1000 / cpuMsPerRequest, saturated: g.gatewayCpuPct >= 90 };
}

/** One target under load: its pool of `connections` connections and the length of its slices. */
export interface LoadSlot {
  target: Target;
  pool: Pool;
  sliceMs: number;
  /** The processes to meter when the target is another gateway (Portkey); `load`'s own when absent. */
  pids?: Pids;
}

/**
 * (b): `config.durationS` split into slices; in each round every slot gets one slice, in turn,
 * the order reversed every other round (so with [gateway, direct] the two alternate as
 * gateway-direct, direct-gateway, ...). Returns each slot's totals.
 */
export async function load(kind: 'json' | 'stream', slots: readonly LoadSlot[], pids: Pids, noise?: NoiseMeter): Promise<SliceTotals[]> {
  const totals = slots.map(() => emptyTotals());
  const slices = loadSlices();
  for (let s = 0; s < slices; s++) {
    const order = s % 2 === 0 ? slots.map((_, n) => n) : slots.map((_, n) => slots.length - 1 - n);
    for (const n of order) await loadSlice(kind, slots[n].pool, slots[n].target, slots[n].sliceMs, slots[n].pids ?? pids, totals[n], true, noise);
  }
  return totals;
}

/** How many slices (b) has per slot, and the length of the relay's. */
export function loadSlices(): number {
  return Math.max(1, Math.round(config.durationS / config.sliceS));
}

export function relaySliceMs(): number {
  return (config.durationS * 1000) / loadSlices();
}

/** The relay's (b) result from its gateway and direct totals. */
export function relayLoadResult(kind: 'json' | 'stream', gateway: SliceTotals, direct: SliceTotals): LoadResult {
  return { kind, direct: summarizeTotals(direct), gateway: gatewayResult(gateway) };
}
