/**
 * `npm run bench`: measures the gateway's own overhead against a fake OpenAI-compatible upstream.
 *
 * Starts bench/fake-upstream.ts and the built gateway (`dist/cli/main.js serve`) as child
 * processes — pinned with `taskset` so the gateway has core 0 to itself while the upstream and this
 * load generator share core 1 — then, in one run, calls the upstream directly and through the
 * gateway, interleaved so that noise hits both alike:
 *
 *   (a) one connection, sequential requests: the latency the gateway adds (p50/p99), for
 *       non-streaming answers and for 20-chunk streams (first chunk and `[DONE]`);
 *   (b) N concurrent connections (32) for a fixed time: requests/s, and the gateway's CPU time
 *       per request (utime+stime from /proc/<pid>/stat), hence req/s per fully-used core;
 *   (c) the gateway's memory: VmRSS at idle, the peak under load, VmHWM.
 *
 * Prints a report, checks the goals and writes everything to .bench/last.json.
 *
 *   npm run bench                     full run (~1 min)
 *   npm run bench -- --quick          ~15 s
 *   BENCH_REQUESTS=500 BENCH_DURATION_S=3 npm run bench
 *   BENCH_PROFILE=1 npm run bench     also profiles the gateway (node --cpu-prof) under the
 *                                     non-streaming load and summarises the hot spots
 *
 * Other knobs: BENCH_CONNECTIONS (32), BENCH_PIN=0 (no taskset), BENCH_PROFILE_INTERVAL_US (500),
 * BENCH_GATEWAY_NODE_ARGS (extra node flags for the gateway, e.g. "--trace-gc"; its output goes
 * to .bench/gateway.log);
 * for the fake upstream FAKE_CHUNK_DELAY_MS (0) and FAKE_SYNC_CHUNKS=1 (see fake-upstream.ts).
 * Everything listens on and connects to 127.0.0.1 only. The report also says how much CPU other
 * processes took meanwhile ("background"), since a busy machine skews every number. Linux only
 * (/proc, taskset).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { formatSummary, summarizeProfile, type ProfileSummary } from './profile-summary.js';
import { formatLimitsLine, limitedKeyHeaders, limitsGatewayEnv, type LimitsLine } from './limits-line.js';

// ---------------------------------------------------------------------------------------------
// Configuration

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH_OUT = path.join(ROOT, '.bench');
const GATEWAY_ENTRY = path.join(ROOT, 'dist', 'cli', 'main.js');
const UPSTREAM_ENTRY = path.join(ROOT, 'bench', 'fake-upstream.ts');
const GUARD = pathToFileURL(path.join(ROOT, 'bench', 'child-guard.mjs')).href;
const HOST = '127.0.0.1';
const MODEL = 'gpt-4o-mini';
const CONTENT_CHUNKS = 20;

const quick = process.argv.includes('--quick');

function numberEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

const config = {
  mode: quick ? 'quick' : 'full',
  requests: Math.floor(numberEnv('BENCH_REQUESTS', quick ? 300 : 2000, 10)),
  warmup: 0,
  durationS: numberEnv('BENCH_DURATION_S', quick ? 2 : 10, 0.2),
  sliceS: 1,
  loadWarmupS: quick ? 1 : 2,
  connections: Math.floor(numberEnv('BENCH_CONNECTIONS', 32, 1)),
  profile: process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'true',
  profileIntervalUs: Math.floor(numberEnv('BENCH_PROFILE_INTERVAL_US', 500, 50)),
  pinRequested: process.env.BENCH_PIN !== '0',
  /** Extra `node` flags for the gateway of the main run, e.g. `--trace-gc` or `--max-semi-space-size=32`. */
  gatewayNodeArgs: (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
};
config.warmup = quick ? 1000 : Math.min(1000, Math.max(100, config.requests));
config.sliceS = Math.min(1, config.durationS);

/** Hard limits so that the run always stops by itself. */
const SEQUENTIAL_TIME_LIMIT_MS = 120_000;
/** Requests per path before the sequential part switches to the other path. */
const SEQUENTIAL_BLOCK = 50;
const WATCHDOG_MS = 20 * 60_000;
const MAX_LOAD_ERRORS = 1000;

// ---------------------------------------------------------------------------------------------
// Child processes: started here, always stopped here (exit, error, Ctrl-C).

interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<void>;
  done: boolean;
}

const children = new Set<Child>();
const tempDirs: string[] = [];

function launch(name: string, nodeArgs: string[], env: NodeJS.ProcessEnv, cpu: number | undefined, logFile?: string): Child {
  const args = [...nodeArgs];
  const command = cpu === undefined ? process.execPath : 'taskset';
  if (cpu !== undefined) args.unshift('-c', String(cpu), process.execPath);
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { ...env, BENCH_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const output: string[] = [];
  const keep = (data: Buffer): void => {
    output.push(data.toString('utf8'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile);
    proc.stdout!.pipe(log, { end: false });
    proc.stderr!.pipe(log, { end: false });
    proc.once('exit', () => setTimeout(() => log.end(), 50));
  }
  const child: Child = { name, proc, pid: proc.pid, output, exited: undefined as never, done: false };
  child.exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      child.done = true;
      children.delete(child);
      resolve();
    });
    proc.once('error', () => {
      child.done = true;
      children.delete(child);
      resolve();
    });
  });
  children.add(child);
  return child;
}

async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.done) return;
  try {
    child.proc.kill('SIGTERM');
  } catch {
    /* already gone */
  }
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([child.exited.then(() => 'exited' as const), timer])) === 'timeout' && !child.done) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    await child.exited;
  }
}

function killAllNow(): void {
  for (const child of children) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const dir of tempDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping the child processes\n`);
    killAllNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
process.on('uncaughtException', (error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  killAllNow();
  process.exit(1);
});
setTimeout(() => {
  process.stderr.write(`bench: watchdog: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
  killAllNow();
  process.exit(1);
}, WATCHDOG_MS).unref();

function tail(child: Child): string {
  return child.output.join('').split('\n').slice(-30).join('\n');
}

/** Data directories left behind by runs that were killed outright (their runner pid is gone). */
function removeStaleDataDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(name.match(/^opensq-bench-(\d+)-/)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = child.output.join('').match(pattern);
    if (match) return match;
    if (child.done) throw new Error(`${child.name} exited during startup:\n${tail(child)}`);
    await sleep(20);
  }
  throw new Error(`${child.name} did not start within ${timeoutMs} ms:\n${tail(child)}`);
}

async function waitForHealth(child: Child, origin: string, timeoutMs: number): Promise<void> {
  const pool = new Pool(origin, { connections: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.done) throw new Error(`${child.name} exited during startup:\n${tail(child)}`);
      try {
        const res = await pool.request({ method: 'GET', path: '/health', headersTimeout: 1000, bodyTimeout: 1000 });
        await res.body.text();
        if (res.statusCode === 200) return;
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    throw new Error(`${child.name} did not answer ${origin}/health within ${timeoutMs} ms:\n${tail(child)}`);
  } finally {
    await pool.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// /proc readers

let clockTicks = 100;
function readClockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(r.stdout?.trim());
  return r.status === 0 && Number.isInteger(value) && value > 0 ? value : 100;
}

/** utime and stime of the whole process (all threads), in clock ticks. */
function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** utime + stime of the whole process (all threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** Busy ticks (user+nice+system+irq+softirq+steal) and steal ticks: of all cores, and per core. */
function systemTicks(): { all: { busy: number; steal: number }; cores: Map<number, number> } {
  const cores = new Map<number, number>();
  let all = { busy: 0, steal: 0 };
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = line.match(/^cpu(\d*)\s+(.*)$/);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0);
    if (m[1] === '') all = { busy, steal: f[7] || 0 };
    else cores.set(Number(m[1]), busy);
  }
  return { all, cores };
}

/**
 * Measures, over stretches of the run, how much CPU went to anything but our three processes
 * (other processes on the machine, the hypervisor's steal): noise to read the numbers with. When
 * pinned, also per core: core 0 minus the gateway, core 1 minus the upstream and this process.
 */
class NoiseMeter {
  foreignTicks = 0;
  stealTicks = 0;
  core0ForeignTicks = 0;
  core1ForeignTicks = 0;
  wallMs = 0;
  private start: { sys: ReturnType<typeof systemTicks>; gw: number; up: number; self: number; t: number } | undefined;

  constructor(private readonly pids: () => { gateway: number; upstream: number }) {}

  private read(pid: number): number {
    try {
      return cpuTicks(pid);
    } catch {
      return 0;
    }
  }

  begin(): void {
    const { gateway, upstream } = this.pids();
    this.start = { sys: systemTicks(), gw: this.read(gateway), up: this.read(upstream), self: this.read(process.pid), t: performance.now() };
  }

  end(): void {
    const start = this.start;
    if (!start) return;
    const { gateway, upstream } = this.pids();
    const sys = systemTicks();
    const gw = this.read(gateway) - start.gw;
    const rest = this.read(upstream) - start.up + this.read(process.pid) - start.self;
    this.foreignTicks += Math.max(0, sys.all.busy - start.sys.all.busy - gw - rest);
    this.stealTicks += sys.all.steal - start.sys.all.steal;
    const core = (n: number): number => (sys.cores.get(n) ?? 0) - (start.sys.cores.get(n) ?? 0);
    this.core0ForeignTicks += Math.max(0, core(0) - gw);
    this.core1ForeignTicks += Math.max(0, core(1) - rest);
    this.wallMs += performance.now() - start.t;
    this.start = undefined;
  }

  private pct(ticks: number): number {
    return this.wallMs > 0 ? (100 * ticksToMs(ticks)) / this.wallMs : 0;
  }

  /** In % of one core. */
  foreignPct(): number {
    return this.pct(this.foreignTicks);
  }

  stealPct(): number {
    return this.pct(this.stealTicks);
  }

  core0Pct(): number {
    return this.pct(this.core0ForeignTicks);
  }

  core1Pct(): number {
    return this.pct(this.core1ForeignTicks);
  }
}

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / clockTicks;
}

interface Memory {
  rssMB: number;
  hwmMB: number;
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'))?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

// ---------------------------------------------------------------------------------------------
// CPU pinning

interface Pinning {
  pinned: boolean;
  gatewayCpu: number | undefined;
  loadCpu: number | undefined;
  note: string;
}

function setUpPinning(): Pinning {
  const unpinned = (note: string): Pinning => ({ pinned: false, gatewayCpu: undefined, loadCpu: undefined, note });
  if (!config.pinRequested) return unpinned('not pinned (BENCH_PIN=0): all processes share all cores');
  if (process.platform !== 'linux') return unpinned(`not pinned: ${process.platform} has no taskset`);
  const which = spawnSync('taskset', ['-c', '0', 'true']);
  if (which.error) return unpinned('not pinned: `taskset` is not installed (util-linux); all processes share all cores');
  const cores = os.availableParallelism();
  if (cores < 2) return unpinned(`not pinned: only ${cores} core available`);
  if (which.status !== 0 || spawnSync('taskset', ['-c', '1', 'true']).status !== 0) {
    return unpinned('not pinned: taskset cannot use cores 0 and 1 here; all processes share all cores');
  }
  // This process is the load generator, alone on core 1 (all its threads). Both servers share core 0,
  // so a direct call and a call through the gateway cross between cores equally often (client →
  // server core → client): the difference is the gateway's own work, not extra cross-core wake-ups.
  const self = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' });
  if (self.status !== 0) return unpinned(`not pinned: taskset failed on the load generator: ${self.stderr.trim()}`);
  const extra = cores > 2 ? ` (cores 2-${cores - 1} unused)` : '';
  return { pinned: true, gatewayCpu: 0, loadCpu: 1, note: `pinned: gateway + upstream → core 0; load generator → core 1 alone${extra}` };
}

// ---------------------------------------------------------------------------------------------
// The requests

const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
  { role: 'user', content: 'Say something short about a quick brown fox and a lazy dog.' },
];
const JSON_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, temperature: 0.7, max_tokens: 64 });
const STREAM_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, temperature: 0.7, max_tokens: 64, stream: true, stream_options: { include_usage: true } });
const CHAT_PATH = '/v1/chat/completions';

interface Target {
  name: 'direct' | 'gateway';
  headers: Record<string, string>;
}

const DIRECT: Target = { name: 'direct', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } };
// The gateway's public key `openai` (seeded by the migrations); a key is hashed and looked up as for any client.
const GATEWAY: Target = { name: 'gateway', headers: { 'content-type': 'application/json', authorization: 'Bearer openai' } };

const CLIENT_OPTIONS = {
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
  connect: { timeout: 5_000 },
};

class HttpStatusError extends Error {}

/** One non-streaming call; the time until the whole answer was read, in ms. */
async function callJson(pool: Pool, target: Target): Promise<number> {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: JSON_BODY });
  const text = await res.body.text();
  const elapsed = performance.now() - started;
  if (res.statusCode !== 200) throw new HttpStatusError(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  return elapsed;
}

interface StreamTiming {
  first: number;
  done: number;
  /** How many separate reads the body arrived in. */
  reads: number;
}

/** One streaming call; the times until the first event's bytes and until `[DONE]`, in ms. */
async function callStream(pool: Pool, target: Target): Promise<StreamTiming> {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: STREAM_BODY });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new HttpStatusError(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  let first = -1;
  let done = -1;
  let reads = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    const now = performance.now();
    reads++;
    if (first < 0) first = now - started;
    if (done < 0 && chunk.includes('[DONE]')) done = now - started;
  }
  const end = performance.now() - started;
  if (first < 0) throw new Error(`${target.name}: empty stream`);
  return { first, done: done < 0 ? end : done, reads };
}

/** Checks once, before measuring, that both paths answer what an OpenAI client expects. */
async function validate(pool: Pool, target: Target): Promise<void> {
  const json = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: JSON_BODY });
  const text = await json.body.text();
  if (json.statusCode !== 200) throw new Error(`${target.name} non-streaming: HTTP ${json.statusCode}: ${text.slice(0, 500)}`);
  const completion = JSON.parse(text) as { object?: string; model?: string; choices?: Array<{ message?: { content?: string } }>; usage?: unknown };
  if (completion.object !== 'chat.completion' || !completion.choices?.[0]?.message?.content || !completion.usage || completion.model !== MODEL) {
    throw new Error(`${target.name} non-streaming: unexpected answer: ${text.slice(0, 500)}`);
  }

  const stream = await pool.request({ method: 'POST', path: CHAT_PATH, headers: target.headers, body: STREAM_BODY });
  const sse = await stream.body.text();
  if (stream.statusCode !== 200) throw new Error(`${target.name} streaming: HTTP ${stream.statusCode}: ${sse.slice(0, 500)}`);
  const events = sse.split('\n\n').filter((e) => e.trim() !== '');
  const data = events.map((e) => e.replace(/^data: /, ''));
  if (data.at(-1) !== '[DONE]') throw new Error(`${target.name} streaming: does not end with [DONE]: …${sse.slice(-300)}`);
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object?: string; model?: string; choices: unknown[]; usage?: unknown });
  const content = chunks.filter((c) => c.choices.length > 0);
  const usage = chunks.filter((c) => c.choices.length === 0 && c.usage);
  if (content.length !== CONTENT_CHUNKS || usage.length !== 1 || chunks.some((c) => c.object !== 'chat.completion.chunk' || c.model !== MODEL)) {
    throw new Error(`${target.name} streaming: expected ${CONTENT_CHUNKS} content chunks and 1 usage chunk, got ${content.length} and ${usage.length}:\n${sse.slice(0, 800)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

interface Dist {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

function dist(values: number[]): Dist {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted.length ? sorted[0] : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------
// (a) sequential, one connection

interface SequentialResult {
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

async function sequential(kind: 'json' | 'stream', pools: { direct: Pool; gateway: Pool }, warmup: number, count: number): Promise<SequentialResult> {
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

interface SliceTotals {
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

function emptyTotals(): SliceTotals {
  return { requests: 0, errors: 0, wallMs: 0, latencies: [], gatewayTicks: 0, gatewaySystemTicks: 0, upstreamTicks: 0, generatorUs: 0 };
}

interface Pids {
  gateway: number;
  upstream: number;
}

/** `connections` workers send back-to-back requests for `ms`; the slice ends when all have finished. */
async function loadSlice(kind: 'json' | 'stream', pool: Pool, target: Target, ms: number, pids: Pids, totals: SliceTotals, record = true, noise?: NoiseMeter): Promise<void> {
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

interface LoadTargetResult {
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

interface LoadResult {
  kind: 'json' | 'stream';
  direct: LoadTargetResult;
  gateway: LoadTargetResult & { cpuMsPerRequest: number; kernelMsPerRequest: number; rpsPerCore: number; saturated: boolean };
}

function summarizeTotals(t: SliceTotals): LoadTargetResult {
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

async function load(kind: 'json' | 'stream', pools: { direct: Pool; gateway: Pool }, pids: Pids, noise: NoiseMeter): Promise<LoadResult> {
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

// ---------------------------------------------------------------------------------------------
// Starting the processes

interface Upstream {
  child: Child;
  origin: string;
}

async function startUpstream(pinning: Pinning): Promise<Upstream> {
  const child = launch('fake upstream', ['--import', 'tsx', '--import', GUARD, UPSTREAM_ENTRY], { ...process.env, FAKE_HOST: HOST, FAKE_PORT: '0' }, pinning.gatewayCpu);
  const match = await waitForLine(child, /listening (\d+)/, 15_000);
  const origin = `http://${HOST}:${match[1]}`;
  await waitForHealth(child, origin, 10_000);
  return { child, origin };
}

interface Gateway {
  child: Child;
  origin: string;
  dataDir: string;
}

async function startGateway(pinning: Pinning, upstreamOrigin: string, extraNodeArgs: string[] = [], logFile?: string, extraEnv: (dataDir: string) => Record<string, string> = () => ({})): Promise<Gateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `opensq-bench-${process.pid}-`));
  tempDirs.push(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    OPENSQ_DATA_DIR: dataDir,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${upstreamOrigin}/v1`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The bare relay: the catalog's per-model limits would refuse the load on the public key.
    OPENSQ_MODEL_LIMITS: 'off',
  };
  // Only the SQLite default and the one fake provider: nothing else from the caller's environment.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'OPENSQ_CONFIG', 'OPENSQ_LOCAL_MODEL', 'OPENSQ_ADMIN_KEY', 'NODE_OPTIONS']) delete env[name];
  Object.assign(env, extraEnv(dataDir));
  const child = launch('gateway', [...extraNodeArgs, '--import', GUARD, GATEWAY_ENTRY, 'serve'], env, pinning.gatewayCpu, logFile);
  const origin = `http://${HOST}:${port}`;
  await waitForHealth(child, origin, 30_000);
  return { child, origin, dataDir };
}

// ---------------------------------------------------------------------------------------------
// Profiling (BENCH_PROFILE=1): a separate gateway under `node --cpu-prof`, so the main numbers
// are not slowed down by the profiler.

interface ProfileResult {
  file: string;
  summaryFile: string;
  rps: number;
  windowed: boolean;
  summary: ProfileSummary;
  text: string;
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function profileGateway(pinning: Pinning, upstream: Upstream): Promise<ProfileResult> {
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
  ]);
  const pool = new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: config.connections });
  const pids = { gateway: gateway.child.pid, upstream: upstream.child.pid };
  const totals = emptyTotals();
  let fromUs = 0;
  let toUs = 0;
  try {
    await validate(pool, GATEWAY);
    await loadSlice('json', pool, GATEWAY, config.loadWarmupS * 1000, pids, totals, false);
    fromUs = monotonicUs();
    await loadSlice('json', pool, GATEWAY, config.durationS * 1000, pids, totals);
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
  return { file, summaryFile, rps: totals.requests / (totals.wallMs / 1000), windowed, summary, text };
}

// ---------------------------------------------------------------------------------------------
// (d) limits and credits on (bench/limits-line.ts), alternating with the bare relay

async function limitsLine(pinning: Pinning, upstream: Upstream, bare: Gateway, pids: Pids): Promise<LimitsLine> {
  const limited = await startGateway(pinning, upstream.origin, [], undefined, limitsGatewayEnv);
  const limitedTarget: Target = { name: 'gateway', headers: await limitedKeyHeaders(limited.origin) };
  const pools = { bare: new Pool(bare.origin, { ...CLIENT_OPTIONS, connections: config.connections }), limited: new Pool(limited.origin, { ...CLIENT_OPTIONS, connections: config.connections }) };
  const limitedPids = { gateway: limited.child.pid, upstream: pids.upstream };
  const totals = { bare: emptyTotals(), limited: emptyTotals() };
  try {
    await validate(pools.limited, limitedTarget);
    await loadSlice('json', pools.limited, limitedTarget, config.loadWarmupS * 1000, limitedPids, emptyTotals(), false);
    const slices = Math.max(1, Math.round(config.durationS / config.sliceS));
    const sliceMs = (config.durationS * 1000) / slices;
    for (let i = 0; i < slices; i++) {
      const order = i % 2 === 0 ? (['bare', 'limited'] as const) : (['limited', 'bare'] as const);
      for (const which of order) {
        if (which === 'bare') await loadSlice('json', pools.bare, GATEWAY, sliceMs, pids, totals.bare);
        else await loadSlice('json', pools.limited, limitedTarget, sliceMs, limitedPids, totals.limited);
      }
    }
  } finally {
    await Promise.all([pools.bare.close(), pools.limited.close()]);
    await stopChild(limited.child);
  }
  const perRequest = (t: SliceTotals): number => ticksToMs(t.gatewayTicks) / t.requests;
  return {
    bareCpuMsPerRequest: perRequest(totals.bare),
    limitsCpuMsPerRequest: perRequest(totals.limited),
    bareRps: totals.bare.requests / (totals.bare.wallMs / 1000),
    limitsRps: totals.limited.requests / (totals.limited.wallMs / 1000),
    errors: totals.limited.errors,
    firstError: totals.limited.firstError,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

function signedMs(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`;
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => indent + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ').trimEnd())
    .join('\n');
}

function upstreamChunking(): string {
  const delay = Number(process.env.FAKE_CHUNK_DELAY_MS || 0);
  if (delay > 0) return `${CONTENT_CHUNKS}-chunk streams, ${delay} ms between chunks (FAKE_CHUNK_DELAY_MS)`;
  if (process.env.FAKE_SYNC_CHUNKS === '1') return `${CONTENT_CHUNKS}-chunk streams, all written in one tick (FAKE_SYNC_CHUNKS=1)`;
  return `${CONTENT_CHUNKS}-chunk streams, no delay, one event-loop turn per chunk`;
}

interface Goal {
  name: string;
  pass: boolean;
  measured: string;
  target: string;
}

async function main(): Promise<void> {
  if (!existsSync('/proc/self/stat')) throw new Error('the benchmark reads /proc and needs Linux');
  if (!existsSync(GATEWAY_ENTRY)) throw new Error(`${path.relative(ROOT, GATEWAY_ENTRY)} is missing: run \`npm run build\` first (npm run bench does)`);
  clockTicks = readClockTicks();
  removeStaleDataDirs();
  const cores = os.availableParallelism();
  const pinning = setUpPinning();
  const started = Date.now();
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

  log(`${config.mode} run: ${config.requests} sequential requests per path (after ${config.warmup} warm-up), ${config.durationS} s of load per path and mode at ${config.connections} connections`);
  log(pinning.note);
  const before = systemTicks().all.busy;
  await sleep(1000);
  const busyBefore = (100 * ticksToMs(systemTicks().all.busy - before)) / 1000;
  if (busyBefore > 15) log(`warning: the machine is already busy (${busyBefore.toFixed(0)}% of a core used by other processes); the numbers will be noisy`);

  const upstream = await startUpstream(pinning);
  const gateway = await startGateway(pinning, upstream.origin, config.gatewayNodeArgs, path.join(BENCH_OUT, 'gateway.log'));
  if (config.gatewayNodeArgs.length > 0) log(`gateway node flags: ${config.gatewayNodeArgs.join(' ')}`);
  const pids: Pids = { gateway: gateway.child.pid, upstream: upstream.child.pid };
  log(`fake upstream ${upstream.origin} (pid ${pids.upstream}), gateway ${gateway.origin} (pid ${pids.gateway})`);

  await sleep(500);
  const idle = memory(pids.gateway);

  const seqPools = {
    direct: new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: 1 }),
    gateway: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: 1 }),
  };
  const loadPools = {
    direct: new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: config.connections }),
    gateway: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: config.connections }),
  };

  const seqNoise = new NoiseMeter(() => pids);
  const loadNoise = new NoiseMeter(() => pids);
  let seqJson: SequentialResult;
  let seqStream: SequentialResult;
  let loadJson: LoadResult;
  let loadStream: LoadResult;
  let warm: Memory;
  let peakRssMB = 0;
  let after: Memory;
  try {
    await validate(seqPools.direct, DIRECT);
    await validate(seqPools.gateway, GATEWAY);

    log('(a) sequential, non-streaming');
    seqNoise.begin();
    seqJson = await sequential('json', seqPools, config.warmup, config.requests);
    log('(a) sequential, streaming');
    seqStream = await sequential('stream', seqPools, config.warmup, config.requests);
    seqNoise.end();
    warm = memory(pids.gateway);

    const sampler = setInterval(() => {
      try {
        peakRssMB = Math.max(peakRssMB, memory(pids.gateway).rssMB);
      } catch {
        /* the gateway is gone; the next request will say so */
      }
    }, 100);
    try {
      log(`(b) warm-up under load (${config.loadWarmupS} s)`);
      const scratch = emptyTotals();
      await loadSlice('json', loadPools.gateway, GATEWAY, (config.loadWarmupS * 1000) / 2, pids, scratch, false);
      await loadSlice('stream', loadPools.gateway, GATEWAY, (config.loadWarmupS * 1000) / 2, pids, scratch, false);
      await loadSlice('json', loadPools.direct, DIRECT, 250, pids, scratch, false);
      await loadSlice('stream', loadPools.direct, DIRECT, 250, pids, scratch, false);
      log(`(b) ${config.connections} connections, non-streaming`);
      loadJson = await load('json', loadPools, pids, loadNoise);
      log(`(b) ${config.connections} connections, streaming`);
      loadStream = await load('stream', loadPools, pids, loadNoise);
    } finally {
      clearInterval(sampler);
    }
    await sleep(1000);
    after = memory(pids.gateway);
  } finally {
    await Promise.all([...Object.values(seqPools), ...Object.values(loadPools)].map((p) => p.close().catch(() => undefined)));
  }
  log(`(d) limits and credits on: a second gateway, ${config.durationS} s per path`);
  const limits = await limitsLine(pinning, upstream, gateway, pids);
  const gatewayAlive = !gateway.child.done;
  await stopChild(gateway.child);

  let profile: ProfileResult | undefined;
  let profileError: string | undefined;
  if (config.profile) {
    log(`profiling the gateway under ${config.connections}-connection non-streaming load (node --cpu-prof, ${config.profileIntervalUs} µs)`);
    try {
      profile = await profileGateway(pinning, upstream);
    } catch (error) {
      profileError = (error as Error).message;
    }
  }
  await stopAll();

  // --- the numbers
  const added = {
    jsonP50: seqJson.gateway.p50 - seqJson.direct.p50,
    jsonP99: seqJson.gateway.p99 - seqJson.direct.p99,
    firstP50: seqStream.gatewayFirst!.p50 - seqStream.directFirst!.p50,
    firstP99: seqStream.gatewayFirst!.p99 - seqStream.directFirst!.p99,
    doneP50: seqStream.gateway.p50 - seqStream.direct.p50,
    doneP99: seqStream.gateway.p99 - seqStream.direct.p99,
  };
  const peakMB = Math.max(after.hwmMB, peakRssMB);
  const goals: Goal[] = [
    { name: 'non-streaming added latency p50', pass: added.jsonP50 <= 0.2, measured: ms(added.jsonP50), target: '≤ 0.200 ms' },
    { name: 'streaming (20 chunks, to [DONE]) added latency p50', pass: added.doneP50 <= 0.3, measured: ms(added.doneP50), target: '≤ 0.300 ms' },
    {
      name: 'throughput per core, non-streaming (CPU per request)',
      pass: loadJson.gateway.rpsPerCore >= 10_000,
      measured: `${int(loadJson.gateway.rpsPerCore)} req/s/core (${ms(loadJson.gateway.cpuMsPerRequest)} CPU/req)`,
      target: '≥ 10,000 req/s/core (≤ 0.100 ms CPU/req)',
    },
    { name: 'gateway memory, peak RSS (VmHWM)', pass: peakMB <= 100, measured: `${peakMB.toFixed(1)} MB`, target: '≤ 100 MB' },
  ];

  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const out: string[] = [];
  out.push('');
  out.push(`OpenSq gateway overhead — ${config.mode} run, ${new Date().toISOString()}`);
  out.push(`  node ${process.version}, ${cpuModel}, ${cores} cores, ${pinning.note}`);
  out.push(`  fake upstream: ${upstreamChunking()}; requests to model ${MODEL} with key "openai" (gateway) / "sk-bench" (direct)`);
  out.push('');
  out.push(`(a) one connection, sequential: ${int(seqJson.requests)} non-streaming + ${int(seqStream.requests)} streaming requests per path after ${config.warmup} warm-up each, direct and gateway alternating in blocks of ${SEQUENTIAL_BLOCK}`);
  out.push(
    table([
      ['', 'direct', 'via gateway', 'added'],
      ['non-streaming          p50', ms(seqJson.direct.p50), ms(seqJson.gateway.p50), signedMs(added.jsonP50)],
      ['                       p99', ms(seqJson.direct.p99), ms(seqJson.gateway.p99), signedMs(added.jsonP99)],
      ['streaming, 1st chunk   p50', ms(seqStream.directFirst!.p50), ms(seqStream.gatewayFirst!.p50), signedMs(added.firstP50)],
      ['                       p99', ms(seqStream.directFirst!.p99), ms(seqStream.gatewayFirst!.p99), signedMs(added.firstP99)],
      ['streaming, [DONE]      p50', ms(seqStream.direct.p50), ms(seqStream.gateway.p50), signedMs(added.doneP50)],
      ['                       p99', ms(seqStream.direct.p99), ms(seqStream.gateway.p99), signedMs(added.doneP99)],
    ]),
  );
  out.push(`  a stream's body arrived in ${seqStream.directReads!.toFixed(1)} reads on average direct, ${seqStream.gatewayReads!.toFixed(1)} via the gateway (${CONTENT_CHUNKS} content chunks + usage + [DONE])`);
  if (seqJson.truncated || seqStream.truncated) out.push(`  (stopped early at the ${SEQUENTIAL_TIME_LIMIT_MS / 1000} s limit)`);
  out.push('');
  out.push(`(b) ${config.connections} connections, ${config.durationS} s per path and mode, in ${config.sliceS} s slices alternating direct / gateway`);
  const loadRow = (label: string, r: LoadResult): string[][] => [
    [
      `${label} via gateway`,
      int(r.gateway.rps),
      `${ms(r.gateway.latency.p50)} / ${ms(r.gateway.latency.p99)}`,
      ms(r.gateway.cpuMsPerRequest),
      int(r.gateway.rpsPerCore),
      `${r.gateway.gatewayCpuPct.toFixed(0)}%`,
      `${r.gateway.core1CpuPct.toFixed(0)}%`,
      int(r.gateway.errors),
    ],
    [`${label} direct`, int(r.direct.rps), `${ms(r.direct.latency.p50)} / ${ms(r.direct.latency.p99)}`, '', '', `${r.direct.gatewayCpuPct.toFixed(0)}%`, `${r.direct.core1CpuPct.toFixed(0)}%`, int(r.direct.errors)],
  ];
  out.push(
    table([
      ['', 'req/s', 'latency p50 / p99', 'gw CPU/req', 'req/s/core', 'gw CPU', 'up+gen CPU', 'errors'],
      ...loadRow('non-streaming', loadJson),
      ...loadRow('streaming    ', loadStream),
    ]),
  );
  out.push(
    `  gateway CPU/req split: non-streaming ${ms(loadJson.gateway.cpuMsPerRequest - loadJson.gateway.kernelMsPerRequest)} user + ${ms(loadJson.gateway.kernelMsPerRequest)} kernel; ` +
      `streaming ${ms(loadStream.gateway.cpuMsPerRequest - loadStream.gateway.kernelMsPerRequest)} user + ${ms(loadStream.gateway.kernelMsPerRequest)} kernel (utime/stime, all threads)`,
  );
  for (const r of [loadJson, loadStream]) {
    if (!r.gateway.saturated) {
      out.push(
        `  note: ${r.kind === 'json' ? 'non-streaming' : 'streaming'}: the gateway used only ${r.gateway.gatewayCpuPct.toFixed(0)}% of its core (not saturated: waiting on the upstream / load generator, on I/O, or on other processes — see "background"), so req/s understates its capacity; CPU/req is the capacity measure.`,
      );
    }
    for (const t of [r.gateway, r.direct]) if (t.firstError) out.push(`  first error: ${t.firstError}`);
  }
  out.push('');
  out.push('(c) gateway memory');
  out.push(
    table([
      ['idle after start', 'after sequential', 'peak VmRSS under load', 'after load', 'VmHWM (peak)'],
      [`${idle.rssMB.toFixed(1)} MB`, `${warm!.rssMB.toFixed(1)} MB`, `${peakRssMB.toFixed(1)} MB`, `${after.rssMB.toFixed(1)} MB`, `${after.hwmMB.toFixed(1)} MB`],
    ]),
  );
  out.push('');
  const noisy = seqNoise.foreignPct() > 10 || loadNoise.foreignPct() > 10;
  const perCore = (m: NoiseMeter): string => (pinning.pinned ? `; core 0 ${m.core0Pct().toFixed(0)}%, core 1 ${m.core1Pct().toFixed(0)}%` : '');
  out.push(
    `background: other processes and the hypervisor used ${seqNoise.foreignPct().toFixed(0)}% of a core during (a)${perCore(seqNoise)}, ` +
      `and ${loadNoise.foreignPct().toFixed(0)}% during (b)${perCore(loadNoise)} (steal ${seqNoise.stealPct().toFixed(0)}% / ${loadNoise.stealPct().toFixed(0)}%)`,
  );
  if (noisy) out.push('  NOISY: the machine was busy with something else during the run; rerun for cleaner numbers.');
  out.push('');
  out.push('In one line each:');
  out.push(`  non-streaming added p50 ${ms(added.jsonP50)} (direct ${ms(seqJson.direct.p50)}, via gateway ${ms(seqJson.gateway.p50)}); p99 ${signedMs(added.jsonP99)}`);
  out.push(`  streaming first chunk added p50 ${ms(added.firstP50)} (direct ${ms(seqStream.directFirst!.p50)}, via gateway ${ms(seqStream.gatewayFirst!.p50)})`);
  out.push(`  streaming [DONE] added p50 ${ms(added.doneP50)} (direct ${ms(seqStream.direct.p50)}, via gateway ${ms(seqStream.gateway.p50)})`);
  out.push(
    `  throughput ${int(loadJson.gateway.rps)} req/s non-streaming, ${int(loadStream.gateway.rps)} req/s streaming through the gateway; ` +
      `${ms(loadJson.gateway.cpuMsPerRequest)} / ${ms(loadStream.gateway.cpuMsPerRequest)} CPU per request = ${int(loadJson.gateway.rpsPerCore)} / ${int(loadStream.gateway.rpsPerCore)} req/s per core`,
  );
  out.push('');
  out.push(...formatLimitsLine(limits, config.connections));
  out.push('');
  out.push('Goals:');
  for (const g of goals) out.push(`  [${g.pass ? 'PASS' : 'FAIL'}] ${g.name}: ${g.measured}  (goal ${g.target})`);
  out.push(`  (Portkey's ~1,000 req/s/core → goal is 10×; streaming CPU/req for reference: ${ms(loadStream.gateway.cpuMsPerRequest)})`);
  if (!gatewayAlive) out.push('  WARNING: the gateway had exited before the end of the run.');
  if (profile) {
    out.push('');
    out.push(`Profile of the gateway under ${config.connections}-connection non-streaming load (${int(profile.rps)} req/s while profiled${profile.windowed ? ', load window only' : ', whole process lifetime'}):`);
    out.push(profile.text.trimEnd());
    out.push(`  (profile ${path.relative(ROOT, profile.file)}, summary ${path.relative(ROOT, profile.summaryFile)}; open the .cpuprofile in Chrome DevTools for the flame chart)`);
  } else if (profileError) {
    out.push('', `Profiling failed: ${profileError}`);
  }
  out.push('');
  out.push(`total ${((Date.now() - started) / 1000).toFixed(1)} s; JSON in .bench/last.json`);
  process.stdout.write(`${out.join('\n')}\n`);

  const roundDist = (d: Dist | undefined) =>
    d && Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === 'n' ? v : round(v, 4)]));
  const roundLoad = (r: LoadResult) => ({
    gateway: { ...r.gateway, latency: roundDist(r.gateway.latency), rps: round(r.gateway.rps, 1), cpuMsPerRequest: round(r.gateway.cpuMsPerRequest, 4), kernelMsPerRequest: round(r.gateway.kernelMsPerRequest, 4), rpsPerCore: round(r.gateway.rpsPerCore, 0), gatewayCpuPct: round(r.gateway.gatewayCpuPct, 1), core1CpuPct: round(r.gateway.core1CpuPct, 1) },
    direct: { ...r.direct, latency: roundDist(r.direct.latency), rps: round(r.direct.rps, 1), gatewayCpuPct: round(r.direct.gatewayCpuPct, 1), core1CpuPct: round(r.direct.core1CpuPct, 1) },
  });
  const json = {
    date: new Date().toISOString(),
    config,
    environment: { node: process.version, cpu: cpuModel, cores, upstreamChunking: upstreamChunking(), platform: `${os.platform()} ${os.release()}`, clockTicks, pinning },
    sequential: {
      nonStreaming: { requests: seqJson.requests, direct: roundDist(seqJson.direct), gateway: roundDist(seqJson.gateway), addedP50Ms: round(added.jsonP50, 4), addedP99Ms: round(added.jsonP99, 4) },
      streaming: {
        requests: seqStream.requests,
        firstChunk: { direct: roundDist(seqStream.directFirst), gateway: roundDist(seqStream.gatewayFirst), addedP50Ms: round(added.firstP50, 4), addedP99Ms: round(added.firstP99, 4) },
        done: { direct: roundDist(seqStream.direct), gateway: roundDist(seqStream.gateway), addedP50Ms: round(added.doneP50, 4), addedP99Ms: round(added.doneP99, 4) },
        readsPerStream: { direct: round(seqStream.directReads!, 2), gateway: round(seqStream.gatewayReads!, 2) },
      },
    },
    load: { connections: config.connections, nonStreaming: roundLoad(loadJson), streaming: roundLoad(loadStream) },
    backgroundCpuPct: {
      sequential: round(seqNoise.foreignPct(), 1),
      load: round(loadNoise.foreignPct(), 1),
      stealSequential: round(seqNoise.stealPct(), 1),
      stealLoad: round(loadNoise.stealPct(), 1),
      core0Sequential: round(seqNoise.core0Pct(), 1),
      core1Sequential: round(seqNoise.core1Pct(), 1),
      core0Load: round(loadNoise.core0Pct(), 1),
      core1Load: round(loadNoise.core1Pct(), 1),
    },
    memoryMB: { idle: round(idle.rssMB, 1), afterSequential: round(warm!.rssMB, 1), peakRssUnderLoad: round(peakRssMB, 1), afterLoad: round(after.rssMB, 1), vmHWM: round(after.hwmMB, 1) },
    limitsAndCredits: { bareCpuMsPerRequest: round(limits.bareCpuMsPerRequest, 4), limitsCpuMsPerRequest: round(limits.limitsCpuMsPerRequest, 4), addedCpuMsPerRequest: round(limits.limitsCpuMsPerRequest - limits.bareCpuMsPerRequest, 4), bareRps: round(limits.bareRps, 1), limitsRps: round(limits.limitsRps, 1), errors: limits.errors },
    goals,
    profile: profile
      ? {
          file: path.relative(ROOT, profile.file),
          windowed: profile.windowed,
          rpsWhileProfiled: round(profile.rps, 1),
          busySamples: profile.summary.busySamples,
          byOwner: profile.summary.byOwner,
          byPackage: profile.summary.byPackage.slice(0, 15),
          topSelf: profile.summary.functions
            .filter((f) => f.owner !== 'idle')
            .sort((a, b) => b.self - a.self)
            .slice(0, 30)
            .map((f) => ({ name: f.name, location: f.location, owner: f.owner, pkg: f.pkg, selfPct: round((100 * f.self) / profile.summary.busySamples, 2) })),
          oursOwned: profile.summary.functions
            .filter((f) => f.owner === 'ours' && f.owned > 0)
            .sort((a, b) => b.owned - a.owned)
            .slice(0, 20)
            .map((f) => ({ name: f.name, location: f.location, ownedPct: round((100 * f.owned) / profile.summary.busySamples, 2), selfPct: round((100 * f.self) / profile.summary.busySamples, 2), totalPct: round((100 * f.total) / profile.summary.busySamples, 2) })),
        }
      : profileError
        ? { error: profileError }
        : undefined,
  };
  mkdirSync(BENCH_OUT, { recursive: true });
  writeFileSync(path.join(BENCH_OUT, 'last.json'), `${JSON.stringify(json, null, 2)}\n`);
}

main().then(
  () => {
    killAllNow();
    process.exit(0);
  },
  (error: Error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    killAllNow();
    process.exit(1);
  },
);
