/**
 * `npm run bench`: measures the gateway's own overhead against a fake upstream, for the
 * OpenAI-compatible relay and for the translating Gemini and Anthropic adapters.
 *
 * Starts bench/fake-upstream.ts (which speaks OpenAI's, Gemini's and Anthropic's dialects) and the
 * built gateway (`dist/cli/main.js serve`) as child processes — pinned with `taskset`: both
 * servers on core 0, this load generator alone on core 1 — then, in one run, calls the upstream
 * directly and through the gateway, interleaved so that noise hits both alike:
 *
 *   (a) one connection, sequential requests: the latency the gateway adds (p50/p99), for
 *       non-streaming answers and for 20-chunk streams (first chunk and `[DONE]`);
 *   (b) N concurrent connections (32) for a fixed time: requests/s, and the gateway's CPU time
 *       per request (utime+stime from /proc/<pid>/stat), hence req/s per fully-used core;
 *   (c) the gateway's memory: VmRSS at idle, the peak under load, VmHWM;
 *   (d) translation: (a) and (b) also for `gemini-2.0-flash` and `claude-3.5-sonnet`, routed to
 *       the fake's Gemini and Anthropic endpoints, their blocks and slices interleaved with the
 *       relay's; "direct" there is the fake called in the provider's own format
 *       (bench/translated.ts). BENCH_TRANSLATION=0 leaves this out;
 *   (e) Portkey's gateway (pinned, installed from npm into .bench/portkey) beside OpenSq, on the
 *       same core: added latency and CPU per request (bench/portkey.ts, portkey-line.ts);
 *       BENCH_PORTKEY=0 leaves it out, and without network it is skipped, said so;
 *   then the rows measured by their own modules (bench/extra-rows.ts).
 *
 * Prints a report, checks the goals of issue 16 (bench/goal-rows.ts: PASS/FAIL/SKIP per row) and
 * writes everything to .bench/last.json.
 *
 *   npm run bench                     full run (~2 min)
 *   npm run bench -- --quick          ~30 s
 *   BENCH_REQUESTS=500 BENCH_DURATION_S=3 npm run bench
 *   BENCH_PROFILE=1 npm run bench     also profiles the gateway (node --cpu-prof) under the
 *                                     non-streaming load and summarises the hot spots; with
 *                                     BENCH_PROFILE_ROUTE=gemini|anthropic under that route's
 *                                     load, with BENCH_PROFILE_STREAM=1 under streaming load
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
 * pinning), proc-stats.ts (/proc readers), requests.ts (the timed requests; the relay's route),
 * translated.ts (the Gemini and Anthropic routes), measure.ts ((a) and (b)), profile.ts,
 * report.ts and report-translation.ts (text, goals, JSON), format.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { BENCH_OUT, GATEWAY_ENTRY, MODEL, ROOT, config } from './config.js';
import { type Lane, type LoadSlot, type Pids, type SequentialResult, type SliceTotals, emptyTotals, gatewayResult, load, loadSlice, relayLoadResult, relaySliceMs, sequential, warmUp } from './measure.js';
import { installCleanup, removeStaleDataDirs, runBench, stopAll, stopChild } from './processes.js';
import { type Memory, NoiseMeter, initClockTicks, memory, systemTicks, ticksToMs } from './proc-stats.js';
import { type ProfileResult, profileGateway } from './profile.js';
import { extraRows } from './extra-rows.js';
import { limitsLine } from './limits-bench.js';
import { PORTKEY_VERSION } from './portkey.js';
import { portkeyLine } from './portkey-line.js';
import { buildReport } from './report.js';
import type { RouteResult } from './report-translation.js';
import { CLIENT_OPTIONS, DIRECT, GATEWAY, RELAY, type Route, validate } from './requests.js';
import { setUpPinning, startGateway, startUpstream } from './servers.js';
import { translatedRoutes, validateRoute } from './translated.js';

installCleanup();

async function main(): Promise<void> {
  if (!existsSync('/proc/self/stat')) throw new Error('the benchmark reads /proc and needs Linux');
  if (!existsSync(GATEWAY_ENTRY)) throw new Error(`${path.relative(ROOT, GATEWAY_ENTRY)} is missing: run \`npm run build\` first (npm run bench does)`);
  const profilable = config.translation ? ['relay', 'gemini', 'anthropic'] : ['relay'];
  if (config.profile && !profilable.includes(config.profileRoute)) {
    throw new Error(`BENCH_PROFILE_ROUTE must be one of ${profilable.join(', ')}, got "${config.profileRoute}"`);
  }
  initClockTicks();
  removeStaleDataDirs();
  const cores = os.availableParallelism();
  const pinning = setUpPinning();
  const started = Date.now();
  const log = (line: string): void => void process.stderr.write(`bench: [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);

  log(`${config.mode} run: ${config.requests} sequential requests per path (after ${config.warmup} warm-up), ${config.durationS} s of load per path and mode at ${config.connections} connections`);
  if (config.translation) log(`translated routes gemini and anthropic interleaved with the relay: ${config.translatedWarmup} warm-up requests per path, load slices ${config.translatedSliceShare}× the relay's`);
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

  // The relay first; then, unless BENCH_TRANSLATION=0, the Gemini and Anthropic routes, measured
  // interleaved with it (bench/translated.ts). All share the pools: one path runs at a time.
  const routes: Route[] = [RELAY, ...(config.translation ? await translatedRoutes() : [])];
  const lanes: Lane[] = routes.map((route) => ({ route, pools: seqPools, warmup: route === RELAY ? config.warmup : config.translatedWarmup }));
  const loadSlots: LoadSlot[] = [
    { target: GATEWAY, pool: loadPools.gateway, sliceMs: relaySliceMs() },
    { target: DIRECT, pool: loadPools.direct, sliceMs: relaySliceMs() },
    ...routes.slice(1).map((route) => ({ target: route.gateway, pool: loadPools.gateway, sliceMs: relaySliceMs() * config.translatedSliceShare })),
  ];

  const seqNoise = new NoiseMeter(() => pids);
  const loadNoise = new NoiseMeter(() => pids);
  let seqJson: SequentialResult[];
  let seqStream: SequentialResult[];
  let loadJson: SliceTotals[];
  let loadStream: SliceTotals[];
  let warm: Memory;
  let peakRssMB = 0;
  let after: Memory;
  try {
    await validate(seqPools.direct, DIRECT, MODEL);
    await validate(seqPools.gateway, GATEWAY, MODEL);
    for (const route of routes.slice(1)) await validateRoute(route, seqPools);

    const names = routes.length > 1 ? ` (${routes.map((r) => r.name).join(', ')} interleaved)` : '';
    log(`(a) sequential, non-streaming${names}`);
    seqNoise.begin();
    seqJson = await sequential('json', lanes, config.requests);
    log(`(a) sequential, streaming${names}`);
    seqStream = await sequential('stream', lanes, config.requests);
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
      log(`(b) warm-up under load (${config.warmupRequests} requests non-streaming, then ${config.loadWarmupS / 2} s streaming)`);
      const scratch = emptyTotals();
      await warmUp('json', loadPools.gateway, GATEWAY, pids);
      await loadSlice('stream', loadPools.gateway, GATEWAY, (config.loadWarmupS * 1000) / 2, pids, scratch, false);
      await loadSlice('json', loadPools.direct, DIRECT, 250, pids, scratch, false);
      await loadSlice('stream', loadPools.direct, DIRECT, 250, pids, scratch, false);
      for (const route of routes.slice(1)) {
        await loadSlice('json', loadPools.gateway, route.gateway, 200, pids, scratch, false);
        await loadSlice('stream', loadPools.gateway, route.gateway, 200, pids, scratch, false);
      }
      log(`(b) ${config.connections} connections, non-streaming${names}`);
      loadJson = await load('json', loadSlots, pids, loadNoise);
      log(`(b) ${config.connections} connections, streaming${names}`);
      loadStream = await load('stream', loadSlots, pids, loadNoise);
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
  log(`Portkey ${PORTKEY_VERSION} beside OpenSq (installed into .bench/portkey on first use)`);
  const portkey = await portkeyLine(pinning, upstream, gateway, pids, log);
  if ('skipped' in portkey) log(`Portkey skipped: ${portkey.skipped}`);
  const gatewayAlive = !gateway.child.done;
  await stopChild(gateway.child);

  let profile: ProfileResult | undefined;
  let profileError: string | undefined;
  if (config.profile) {
    const kind = config.profileKind === 'json' ? 'non-streaming' : 'streaming';
    log(`profiling the gateway under ${config.connections}-connection ${kind} load, route ${config.profileRoute} (node --cpu-prof, ${config.profileIntervalUs} µs)`);
    try {
      profile = await profileGateway(pinning, upstream, routes.find((r) => r.name === config.profileRoute)!, config.profileKind);
    } catch (error) {
      profileError = (error as Error).message;
    }
  }
  // BENCH_EXTRA=0 leaves out the rows measured by their own modules (slow streams, workers: ~1 min).
  const extra = process.env.BENCH_EXTRA === '0' ? [] : await extraRows({ pinning, upstream, log });
  await stopAll();

  // Slots 0 and 1 are the relay's gateway and direct paths; slot n + 1 is routes[n]'s gateway.
  const translation: RouteResult[] = routes.map((route, n) => ({
    route,
    seqJson: seqJson[n],
    seqStream: seqStream[n],
    loadJson: gatewayResult(loadJson[n === 0 ? 0 : n + 1]),
    loadStream: gatewayResult(loadStream[n === 0 ? 0 : n + 1]),
  }));
  const { text, json } = buildReport({
    started,
    cores,
    pinning,
    seqJson: seqJson[0],
    seqStream: seqStream[0],
    loadJson: relayLoadResult('json', loadJson[0], loadJson[1]),
    loadStream: relayLoadResult('stream', loadStream[0], loadStream[1]),
    translation: config.translation ? translation : undefined,
    idle,
    warm,
    after,
    peakRssMB,
    seqNoise,
    loadNoise,
    gatewayAlive,
    profile,
    profileError,
    limits,
    portkey,
    extra,
  });
  process.stdout.write(text);
  mkdirSync(BENCH_OUT, { recursive: true });
  writeFileSync(path.join(BENCH_OUT, 'last.json'), `${JSON.stringify(json, null, 2)}\n`);
}

runBench('bench', main);
