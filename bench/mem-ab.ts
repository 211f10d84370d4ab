/**
 * Memory of two builds side by side, measured as `npm run bench` measures it:
 *
 *   node --import tsx bench/mem-ab.ts /path/to/other/dist/cli/main.js [--quick]
 *
 * VmRSS 500 ms after each gateway answers its health check (idle), then BENCH_CONNECTIONS
 * connections in alternating slices, non-streaming then streaming (as bench/ab.ts), with VmRSS
 * sampled every 100 ms per gateway (peak) and VmHWM at the end; CPU per request of each build
 * from the same slices, so a memory saving is read beside what it costs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { GATEWAY_ENTRY, config } from './config.js';
import { ms, table } from './format.js';
import { type Pids, gatewayResult, load, relaySliceMs } from './measure.js';
import { installCleanup, runBench, stopAll } from './processes.js';
import { initClockTicks, memory } from './proc-stats.js';
import { CLIENT_OPTIONS, GATEWAY, RELAY, validate } from './requests.js';
import { setUpPinning, startGateway, startUpstream } from './servers.js';

installCleanup();

async function main(): Promise<void> {
  const other = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!other || !existsSync(other)) throw new Error('usage: node --import tsx bench/mem-ab.ts <other dist/cli/main.js> [--quick]');
  initClockTicks();
  const pinning = setUpPinning();
  const upstream = await startUpstream(pinning);
  // MEM_AB_THIS_ARGS, MEM_AB_OTHER_ARGS: node flags for one build's gateway, to weigh a V8 flag in the same run.
  const thisArgs = (process.env.MEM_AB_THIS_ARGS ?? '').split(/\s+/).filter(Boolean);
  const otherArgs = (process.env.MEM_AB_OTHER_ARGS ?? '').split(/\s+/).filter(Boolean);
  const builds = [
    { name: 'other', entry: path.resolve(other), args: otherArgs },
    { name: 'this', entry: GATEWAY_ENTRY, args: thisArgs },
  ];
  const gateways = [];
  const idle: number[] = [];
  for (const b of builds) {
    const g = await startGateway(pinning, upstream.origin, b.args, undefined, () => ({}), b.entry);
    await sleep(500);
    idle.push(memory(g.child.pid).rssMB);
    gateways.push(g);
  }
  const pids: Pids[] = gateways.map((g) => ({ gateway: g.child.pid, upstream: upstream.child.pid }));
  const peak = pids.map(() => 0);
  const sampler = setInterval(() => pids.forEach((p, n) => (peak[n] = Math.max(peak[n], memory(p.gateway).rssMB))), 100);
  const loadPools = gateways.map((g) => new Pool(g.origin, { ...CLIENT_OPTIONS, connections: config.connections }));
  try {
    for (const pool of loadPools) await validate(pool, GATEWAY, RELAY.model);
    const rows: string[][] = [['', builds[0].name, builds[1].name, 'this / other']];
    const mb = (v: number): string => `${v.toFixed(1)} MB`;
    const ratio = (a: number, b: number): string => `×${(b / a).toFixed(2)}`;
    rows.push(['idle VmRSS', mb(idle[0]), mb(idle[1]), ratio(idle[0], idle[1])]);
    const served = [0, 0];
    const loadStart = Date.now();
    for (const kind of ['json', 'stream'] as const) {
      const slots = loadPools.map((pool, n) => ({ target: GATEWAY, pool, sliceMs: relaySliceMs(), pids: pids[n] }));
      const results = (await load(kind, slots, pids[0])).map(gatewayResult);
      results.forEach((r, n) => (served[n] += r.requests));
      rows.push([`CPU/req, ${config.connections} conn., ${kind}`, ms(results[0].cpuMsPerRequest), ms(results[1].cpuMsPerRequest), ratio(results[0].cpuMsPerRequest, results[1].cpuMsPerRequest)]);
    }
    const hwm = pids.map((p) => memory(p.gateway).hwmMB);
    const top = peak.map((p, n) => Math.max(p, hwm[n]));
    rows.push([`requests served (pid), load from ${loadStart}`, `${served[0]} (${pids[0].gateway})`, `${served[1]} (${pids[1].gateway})`, '']);
    rows.push(['peak (VmHWM or samples)', mb(top[0]), mb(top[1]), ratio(top[0], top[1])]);
    process.stdout.write(`\n${config.mode} run, ${new Date().toISOString()}; other = ${other}${thisArgs.length ? `; this with ${thisArgs.join(' ')}` : ''}\n${table(rows)}\n`);
  } finally {
    clearInterval(sampler);
    await Promise.all(loadPools.map((p) => p.close().catch(() => undefined)));
    await stopAll();
  }
}

runBench('mem-ab', main);
