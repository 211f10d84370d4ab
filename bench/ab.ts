/**
 * Two builds of the gateway side by side in one run, for a change's before/after:
 *
 *   node --import tsx bench/ab.ts /path/to/other/dist/cli/main.js [--quick]
 *
 * (after `npm run build`; build the other tree with `npx tsc -p tsconfig.build.json`.) Both
 * gateways and the fake upstream share core 0, pinned as in `npm run bench`; the relay is
 * measured on one connection in alternating blocks (added p50 over the direct call) and under
 * BENCH_CONNECTIONS connections in alternating slices (CPU per request of each process),
 * non-streaming and streaming. Prints each figure for both builds and their ratio.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { GATEWAY_ENTRY, config } from './config.js';
import { int, ms, table } from './format.js';
import { type Lane, type Pids, gatewayResult, load, relaySliceMs, sequential } from './measure.js';
import { installCleanup, runBench, stopAll } from './processes.js';
import { initClockTicks } from './proc-stats.js';
import { CLIENT_OPTIONS, GATEWAY, RELAY, validate } from './requests.js';
import { setUpPinning, startGateway, startUpstream } from './servers.js';

installCleanup();

async function main(): Promise<void> {
  const other = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!other || !existsSync(other)) throw new Error('usage: node --import tsx bench/ab.ts <other dist/cli/main.js> [--quick]');
  initClockTicks();
  const pinning = setUpPinning();
  const log = (line: string): void => void process.stderr.write(`ab: ${line}\n`);
  log(pinning.note);
  const upstream = await startUpstream(pinning);
  const builds = [
    { name: 'other', entry: path.resolve(other) },
    { name: 'this', entry: GATEWAY_ENTRY },
  ];
  const gateways = [];
  for (const b of builds) gateways.push(await startGateway(pinning, upstream.origin, [], undefined, () => ({}), b.entry));
  const direct = new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: 1 });
  const seqPools = gateways.map((g) => new Pool(g.origin, { ...CLIENT_OPTIONS, connections: 1 }));
  const loadPools = gateways.map((g) => new Pool(g.origin, { ...CLIENT_OPTIONS, connections: config.connections }));
  const pids: Pids[] = gateways.map((g) => ({ gateway: g.child.pid, upstream: upstream.child.pid }));
  try {
    for (const pool of seqPools) await validate(pool, GATEWAY, RELAY.model);
    const lanes: Lane[] = seqPools.map((pool) => ({ route: RELAY, pools: { direct, gateway: pool }, warmup: config.warmup }));
    const rows: string[][] = [['', builds[0].name, builds[1].name, 'this / other']];
    const ratio = (a: number, b: number): string => `×${(b / a).toFixed(2)}`;
    for (const kind of ['json', 'stream'] as const) {
      log(`sequential, ${kind}`);
      const seq = await sequential(kind, lanes, config.requests);
      const added = seq.map((s) => s.gateway.p50 - s.direct.p50);
      rows.push([`added p50, ${kind === 'json' ? 'non-streaming' : 'to [DONE]'}`, ms(added[0]), ms(added[1]), ratio(added[0], added[1])]);
      log(`${config.connections} connections, ${kind}`);
      const slots = loadPools.map((pool, n) => ({ target: GATEWAY, pool, sliceMs: relaySliceMs(), pids: pids[n] }));
      const totals = await load(kind, slots, pids[0]);
      const results = totals.map(gatewayResult);
      rows.push([`CPU/req, ${config.connections} conn., ${kind === 'json' ? 'non-streaming' : 'streaming'}`, ms(results[0].cpuMsPerRequest), ms(results[1].cpuMsPerRequest), ratio(results[0].cpuMsPerRequest, results[1].cpuMsPerRequest)]);
      rows.push([`req/s, ${kind === 'json' ? 'non-streaming' : 'streaming'}`, int(results[0].rps), int(results[1].rps), ratio(results[0].rps, results[1].rps)]);
    }
    process.stdout.write(`\n${config.mode} run, ${new Date().toISOString()}; other = ${other}\n${table(rows)}\n`);
  } finally {
    await Promise.all([direct, ...seqPools, ...loadPools].map((p) => p.close().catch(() => undefined)));
    await stopAll();
  }
}

runBench('ab', main);
