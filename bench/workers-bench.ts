/**
 * `serve --workers N`: throughput with 1 and with 2 workers, each gateway loaded in turn in
 * alternating slices (so both see the same machine), non-streaming chat at BENCH_CONNECTIONS
 * keep-alive connections against the fake upstream. Also the CPU each side used (primary and
 * workers), since on a 2-core machine the load generator and the fake upstream take their share
 * of the same two cores.
 *
 *   npm run build && node --import tsx bench/workers-bench.ts
 *   (WORKERS_SLICE_S, default 3; WORKERS_SLICES, default 3 per side; WORKERS_WARMUP_S, default 5 per worker)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { GATEWAY_ENTRY, GUARD, HOST, MODEL, UPSTREAM_ENTRY, numberEnv } from './config.js';
import { cpuTicks, initClockTicks, systemTicks, ticksToMs } from './proc-stats.js';
import { type Child, freePort, installCleanup, launch, stopChild, waitForHealth, waitForLine } from './processes.js';

const GOAL_RATIO = 1.8;

/**
 * Every core of the machine, for the gateways and the fake upstream: `npm run bench` pins itself
 * (the load generator) to one core, and children inherit that, which would put both workers on it.
 */
const ALL_CORES = `0-${os.cpus().length - 1}`;

export interface WorkersRow {
  name: string;
  pass: boolean | undefined;
  measured: string;
  target: string;
}

interface Side {
  workers: number;
  child: Child;
  origin: string;
  requests: number;
  errors: number;
  wallMs: number;
  cpuTicks: number;
  /** The same slices' CPU: the load generator (this process), the fake upstream, the whole machine. */
  loadCpuMs: number;
  upstreamTicks: number;
  machineTicks: number;
}

/** The pid and its children (a primary's workers). */
function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children];
  } catch {
    return [pid];
  }
}

const treeTicks = (pids: number[]): number => pids.reduce((sum, pid) => {
  try {
    return sum + cpuTicks(pid);
  } catch {
    return sum;
  }
}, 0);

async function startWorkers(workers: number, upstreamOrigin: string, dataDir: string): Promise<Side> {
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
    OPENSQ_MODEL_LIMITS: 'off',
    OPENSQ_ANONYMOUS_RPM: '0',
    OPENSQ_ANONYMOUS_TPM: '0',
    OPENSQ_ANONYMOUS_RPD: '0',
    OPENSQ_ANONYMOUS_CONCURRENCY: '0',
  };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'OPENSQ_CONFIG', 'OPENSQ_LOCAL_MODEL', 'OPENSQ_ADMIN_KEY', 'NODE_OPTIONS']) delete env[name];
  const child = launch(`gateway ×${workers}`, ['--import', GUARD, GATEWAY_ENTRY, 'serve', '--workers', String(workers)], env, ALL_CORES);
  const origin = `http://${HOST}:${port}`;
  await waitForHealth(child, origin, 30_000);
  // Every worker listening, not just the first.
  for (let i = 2; i <= workers; i++) await waitForLine(child, new RegExp(`worker ${i} listening`), 30_000);
  return { workers, child, origin, requests: 0, errors: 0, wallMs: 0, cpuTicks: 0, loadCpuMs: 0, upstreamTicks: 0, machineTicks: 0 };
}

const BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hello' }] });
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer openai' };

async function slice(side: Side, pool: Pool, connections: number, ms: number, count: boolean, upstreamPid: number): Promise<void> {
  const pids = processTree(side.child.pid);
  const ticks = treeTicks(pids);
  const upstreamTicks = cpuTicks(upstreamPid);
  const machineTicks = systemTicks().all.busy;
  const loadCpu = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  let requests = 0;
  let errors = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: HEADERS, body: BODY });
      await res.body.dump();
      if (res.statusCode === 200) requests++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  if (!count) return;
  side.wallMs += performance.now() - start;
  side.cpuTicks += treeTicks(pids) - ticks;
  side.upstreamTicks += cpuTicks(upstreamPid) - upstreamTicks;
  side.machineTicks += systemTicks().all.busy - machineTicks;
  const load = process.cpuUsage(loadCpu);
  side.loadCpuMs += (load.user + load.system) / 1000;
  side.requests += requests;
  side.errors += errors;
}

export interface WorkersResult {
  rows: WorkersRow[];
  sides: Array<{ workers: number; rps: number; cpuCores: number; errors: number; loadCores: number; upstreamCores: number; othersCores: number }>;
}

export async function measureWorkers(): Promise<WorkersResult> {
  const sliceS = numberEnv('WORKERS_SLICE_S', 3, 0.2);
  // Each worker compiles its own code: two workers need twice the requests to get there.
  const warmupS = numberEnv('WORKERS_WARMUP_S', 5, 0);
  const slices = Math.floor(numberEnv('WORKERS_SLICES', 3, 1));
  const connections = Math.floor(numberEnv('BENCH_CONNECTIONS', 32, 1));
  const upstream = launch('fake upstream', ['--import', 'tsx', '--import', GUARD, UPSTREAM_ENTRY], { ...process.env, FAKE_HOST: HOST, FAKE_PORT: '0' }, ALL_CORES);
  const dirs = [1, 2].map(() => mkdtempSync(path.join(os.tmpdir(), `opensq-bench-${process.pid}-`)));
  const sides: Side[] = [];
  const pools: Pool[] = [];
  try {
    const upstreamOrigin = `http://${HOST}:${(await waitForLine(upstream, /listening (\d+)/, 15_000))[1]}`;
    await waitForHealth(upstream, upstreamOrigin, 10_000);
    sides.push(await startWorkers(1, upstreamOrigin, dirs[0]), await startWorkers(2, upstreamOrigin, dirs[1]));
    for (const side of sides) pools.push(new Pool(side.origin, { connections, pipelining: 1 }));
    for (let i = 0; i < sides.length; i++) await slice(sides[i], pools[i], connections, warmupS * 1000 * sides[i].workers, false, upstream.pid);
    for (let s = 0; s < slices; s++) {
      const order = s % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) await slice(sides[i], pools[i], connections, sliceS * 1000, true, upstream.pid);
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all([...sides.map((s) => stopChild(s.child)), stopChild(upstream)]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const summary = sides.map((s) => {
    const cores = (ms: number): number => ms / s.wallMs;
    const gateway = cores(ticksToMs(s.cpuTicks));
    const load = cores(s.loadCpuMs);
    const upstreamCores = cores(ticksToMs(s.upstreamTicks));
    return { workers: s.workers, rps: (s.requests / s.wallMs) * 1000, cpuCores: gateway, errors: s.errors, loadCores: load, upstreamCores, othersCores: Math.max(0, cores(ticksToMs(s.machineTicks)) - gateway - load - upstreamCores) };
  });
  const [one, two] = summary;
  const ratio = two.rps / one.rps;
  const ceiling = os.cpus().length / (one.cpuCores + one.loadCores + one.upstreamCores);
  const rows: WorkersRow[] = [
    {
      name: `--workers 2 throughput vs 1 worker (${connections} connections, non-streaming)`,
      pass: ratio >= GOAL_RATIO && one.errors + two.errors === 0,
      measured: `${ratio.toFixed(2)}× (${Math.round(one.rps)} → ${Math.round(two.rps)} req/s; gateway CPU ${one.cpuCores.toFixed(2)} → ${two.cpuCores.toFixed(2)} cores; errors ${one.errors + two.errors})`,
      target: `≥ ${GOAL_RATIO}×`,
    },
    {
      // Load generator and fake upstream run on the same cores: with every core busy at the one-worker
      // side's CPU per request (gateway + load generator + fake), no number of workers can go past this.
      name: `--workers 2: ceiling on this machine (all ${os.cpus().length} cores at 1 worker's CPU per request, load generator and fake upstream included)`,
      pass: undefined,
      measured: `${ceiling.toFixed(2)}× (measured ${ratio.toFixed(2)}× = ${Math.round((ratio / ceiling) * 100)}% of it)`,
      target: 'none',
    },
    ...summary.map((side) => ({
      name: `CPU budget with ${side.workers} worker${side.workers > 1 ? 's' : ''} (of ${os.cpus().length} cores)`,
      pass: undefined,
      measured: `gateway ${side.cpuCores.toFixed(2)}, load generator ${side.loadCores.toFixed(2)}, fake upstream ${side.upstreamCores.toFixed(2)}, everything else on the machine ${side.othersCores.toFixed(2)} cores`,
      target: 'none',
    })),
  ];
  return { rows, sides: summary };
}

/** The rows for `npm run bench`. */
export async function workersRows(): Promise<WorkersRow[]> {
  return (await measureWorkers()).rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installCleanup();
  initClockTicks();
  const result = await measureWorkers();
  process.stdout.write(`serve --workers (${os.cpus().length} cores, shared with the load generator and the fake upstream; machine shared, numbers noisy)\n`);
  for (const row of result.rows) process.stdout.write(`  [${row.pass === undefined ? 'INFO' : row.pass ? 'PASS' : 'FAIL'}] ${row.name}: ${row.measured}  (goal ${row.target})\n`);
  process.exit(0);
}
