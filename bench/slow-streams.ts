/**
 * The 1,000-slow-streams row: 1,000 concurrent streams of one chunk a second for 10 seconds, all
 * opened at once through the gateway to one provider. The gateway must hold them side by side (no
 * queue in front of the provider): all done in about 10 s, little memory and CPU.
 *
 *   npm run build && node --import tsx bench/slow-streams.ts
 *
 * Environment: SLOW_STREAMS (default 1000), SLOW_STREAMS_CHUNK_MS (default 1000),
 * SLOW_STREAMS_CONNECTIONS (the gateway's OPENSQ_UPSTREAM_CONNECTIONS; default unset: no cap),
 * SLOW_STREAMS_WARMUP (default 200: streams of one round before the measured one, so that the
 * gateway's code is compiled; 0 measures a cold gateway).
 * `slowStreamsRows()` starts its own fake upstream and gateway, or measures a gateway it is given.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GUARD, HOST, UPSTREAM_ENTRY, numberEnv } from './config.js';
import { openStreams } from './open-streams.js';
import { cpuSplit, initClockTicks, memory, ticksToMs } from './proc-stats.js';
import { installCleanup, launch, stopChild, waitForHealth, waitForLine } from './processes.js';
import { type Pinning, startGateway } from './servers.js';

const CHUNKS = 10;
const GOAL_WALL_S = 12;
const GOAL_RSS_MB = 200;
const GOAL_CPU_PCT = 5;

/** A row of the bench's table: what was measured and whether it meets its goal (report.ts's Goal; `pass` undefined: no goal). */
export interface SlowStreamsRow {
  name: string;
  pass: boolean | undefined;
  measured: string;
  target: string;
}

export interface SlowStreamsOptions {
  streams?: number;
  chunkMs?: number;
  /** OPENSQ_UPSTREAM_CONNECTIONS of the gateway this module starts (undefined: the gateway's default). */
  connections?: number;
  /** Streams of a round run before the measured one. */
  warmup?: number;
  /** A gateway already running in front of a slow upstream (10 chunks, `chunkMs` apart): measured, not started. */
  gateway?: { origin: string; pid: number };
  /** The entry script of the gateway this module starts (another build's, for a before/after); this build's when absent. */
  entry?: string;
  /** Node flags for the gateway this module starts (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export interface SlowStreamsResult {
  rows: SlowStreamsRow[];
  streams: number;
  completed: number;
  wallS: number;
  firstTokenMs: { p50: number; p99: number; max: number };
  peakRssMB: number;
  cpuPct: number;
  /** Of cpuPct, the part spent in the kernel (on loopback a send also runs the receiver's side of TCP). */
  kernelPct: number;
  /** Of cpuPct, the part of threads other than the main one (V8's garbage collector and compiler helpers, libuv's pool). */
  offMainPct: number;
  /** The soft limit on open files of this process, and what the run needs of it. */
  openFiles: { limit: number; needed: number };
}

const UNPINNED: Pinning = { pinned: false, gatewayCpu: undefined, loadCpu: undefined, note: 'not pinned' };

/** The soft limit on open files (`ulimit -n`) of this process. */
function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\S+)/m)?.[1];
  return line === undefined || line === 'unlimited' ? Infinity : Number(line);
}

/** utime + stime of a process's main thread, in clock ticks. */
function mainThreadTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function measureSlowStreams(options: SlowStreamsOptions = {}): Promise<SlowStreamsResult> {
  const streams = options.streams ?? Math.floor(numberEnv('SLOW_STREAMS', 1000, 1));
  const chunkMs = options.chunkMs ?? numberEnv('SLOW_STREAMS_CHUNK_MS', 1000, 1);
  // This process holds one socket per stream; the gateway two (client and provider side), the fake one.
  const openFiles = { limit: openFilesLimit(), needed: streams + 100 };
  if (openFiles.limit < openFiles.needed) throw new Error(`slow streams: ${streams} streams need ulimit -n ≥ ${openFiles.needed} here (and ${2 * streams + 100} for the gateway); it is ${openFiles.limit}`);

  let stop = async (): Promise<void> => undefined;
  let gateway = options.gateway;
  if (!gateway) {
    const upstream = launch('slow upstream', ['--import', 'tsx', '--import', GUARD, UPSTREAM_ENTRY], { ...process.env, FAKE_HOST: HOST, FAKE_PORT: '0', FAKE_CHUNK_DELAY_MS: String(chunkMs), FAKE_STREAM_CHUNKS: String(CHUNKS) }, undefined);
    const origin = `http://${HOST}:${(await waitForLine(upstream, /listening (\d+)/, 15_000))[1]}`;
    await waitForHealth(upstream, origin, 10_000);
    const connections = options.connections ?? (process.env.SLOW_STREAMS_CONNECTIONS ? Number(process.env.SLOW_STREAMS_CONNECTIONS) : undefined);
    const started = await startGateway(
      UNPINNED,
      origin,
      options.nodeArgs ?? [],
      undefined,
      (): Record<string, string> => (connections === undefined ? {} : { OPENSQ_UPSTREAM_CONNECTIONS: String(connections) }),
      options.entry,
    );
    gateway = { origin: started.origin, pid: started.child.pid };
    stop = async () => {
      await stopChild(started.child);
      await stopChild(upstream);
    };
  }
  const pid = gateway.pid;
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a slow answer' }], stream: true };
  try {
    const warmup = options.warmup ?? Math.floor(numberEnv('SLOW_STREAMS_WARMUP', 200, 0));
    if (warmup > 0) await openStreams(gateway.origin, warmup, body);
    let peakRssMB = memory(pid).rssMB;
    const sampler = setInterval(() => (peakRssMB = Math.max(peakRssMB, memory(pid).rssMB)), 100);
    const ticksBefore = cpuSplit(pid);
    const mainBefore = mainThreadTicks(pid);
    const start = performance.now();
    const timings = await openStreams(gateway.origin, streams, body);
    const wallMs = performance.now() - start;
    const ticksAfter = cpuSplit(pid);
    const mainMs = ticksToMs(mainThreadTicks(pid) - mainBefore);
    const kernelMs = ticksToMs(ticksAfter.system - ticksBefore.system);
    const cpuMs = ticksToMs(ticksAfter.user - ticksBefore.user) + kernelMs;
    clearInterval(sampler);
    peakRssMB = Math.max(peakRssMB, memory(pid).rssMB);
    const firsts = timings.map((t) => (Number.isNaN(t.firstByteMs) ? Infinity : t.firstByteMs)).sort((a, b) => a - b);
    const completed = timings.filter((t) => t.status === 200 && t.complete).length;
    const result = {
      streams,
      completed,
      wallS: wallMs / 1000,
      firstTokenMs: { p50: percentile(firsts, 50), p99: percentile(firsts, 99), max: firsts[firsts.length - 1] },
      peakRssMB,
      cpuPct: (100 * cpuMs) / wallMs,
      kernelPct: (100 * kernelMs) / wallMs,
      offMainPct: (100 * Math.max(0, cpuMs - mainMs)) / wallMs,
      openFiles,
    };
    return { ...result, rows: rowsOf(result, (CHUNKS * chunkMs) / 1000) };
  } finally {
    await stop();
  }
}

function rowsOf(r: Omit<SlowStreamsResult, 'rows'>, streamS: number): SlowStreamsRow[] {
  const label = `${r.streams} concurrent ${streamS}-second streams`;
  const wallGoal = GOAL_WALL_S * (streamS / 10);
  const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'none');
  return [
    { name: `${label}: all done`, pass: r.completed === r.streams && r.wallS <= wallGoal, measured: `${r.completed}/${r.streams} in ${r.wallS.toFixed(1)} s`, target: `all, ≤ ${wallGoal} s` },
    // No goal: with every stream opened in the same instant, the last first token waits for the gateway's CPU to admit all the others.
    { name: `${label}: time to first token`, pass: undefined, measured: `p50 ${ms(r.firstTokenMs.p50)}, p99 ${ms(r.firstTokenMs.p99)}, max ${ms(r.firstTokenMs.max)}`, target: 'none' },
    { name: `${label}: gateway peak RSS`, pass: r.peakRssMB <= GOAL_RSS_MB, measured: `${Math.round(r.peakRssMB)} MB`, target: `≤ ${GOAL_RSS_MB} MB` },
    { name: `${label}: gateway CPU`, pass: r.cpuPct <= GOAL_CPU_PCT, measured: `${r.cpuPct.toFixed(1)}% of a core (${r.kernelPct.toFixed(1)}% in the kernel, ${r.offMainPct.toFixed(1)}% off the main thread)`, target: `≤ ${GOAL_CPU_PCT}%` },
  ];
}

/** The rows for `npm run bench`. */
export async function slowStreamsRows(options: SlowStreamsOptions = {}): Promise<SlowStreamsRow[]> {
  return (await measureSlowStreams(options)).rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installCleanup();
  initClockTicks();
  const result = await measureSlowStreams();
  process.stdout.write(`slow streams (ulimit -n ${result.openFiles.limit}, ${result.openFiles.needed} needed here; machine shared, numbers noisy)\n`);
  for (const row of result.rows) process.stdout.write(`  [${row.pass === undefined ? 'INFO' : row.pass ? 'PASS' : 'FAIL'}] ${row.name}: ${row.measured}  (goal ${row.target})\n`);
  process.exit(0);
}
