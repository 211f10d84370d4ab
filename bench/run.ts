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
 *
 * The parts live in modules: config.ts (settings), processes.ts and servers.ts (child processes,
 * pinning), proc-stats.ts (/proc readers), requests.ts (the timed requests), measure.ts ((a) and
 * (b)), profile.ts, report.ts (text, goals, JSON).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { BENCH_OUT, GATEWAY_ENTRY, ROOT, config } from './config.js';
import { type LoadResult, type Pids, type SequentialResult, emptyTotals, load, loadSlice, sequential } from './measure.js';
import { installCleanup, killAllNow, removeStaleDataDirs, stopAll, stopChild } from './processes.js';
import { type Memory, NoiseMeter, initClockTicks, memory, systemTicks, ticksToMs } from './proc-stats.js';
import { type ProfileResult, profileGateway } from './profile.js';
import { buildReport } from './report.js';
import { CLIENT_OPTIONS, DIRECT, GATEWAY, validate } from './requests.js';
import { setUpPinning, startGateway, startUpstream } from './servers.js';

installCleanup();

async function main(): Promise<void> {
  if (!existsSync('/proc/self/stat')) throw new Error('the benchmark reads /proc and needs Linux');
  if (!existsSync(GATEWAY_ENTRY)) throw new Error(`${path.relative(ROOT, GATEWAY_ENTRY)} is missing: run \`npm run build\` first (npm run bench does)`);
  initClockTicks();
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

  const { text, json } = buildReport({ started, cores, pinning, seqJson, seqStream, loadJson, loadStream, idle, warm, after, peakRssMB, seqNoise, loadNoise, gatewayAlive, profile, profileError });
  process.stdout.write(text);
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
