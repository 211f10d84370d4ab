/**
 * OpenSq beside the floor (bench/floor-proxy.mjs: node:http + undici + one JSON.parse, nothing
 * else), both pinned to the servers' core and routed to the same fake upstream: the added p50 on
 * one connection (blocks alternating direct / OpenSq / floor) and the CPU per request at
 * BENCH_CONNECTIONS connections (slices alternating), non-streaming and streaming. INFO rows: they
 * say how much of OpenSq's cost any Node gateway would pay, so a goal can be read against what
 * is left to cut on this machine, whatever its speed that day.
 */
import path from 'node:path';
import { Pool } from 'undici';
import { GUARD, HOST, MODEL, ROOT, config } from './config.js';
import type { Row } from './goal-rows.js';
import { type Lane, type SliceTotals, emptyTotals, loadSlice, sequential, warmUp } from './measure.js';
import { freePort, launch, stopChild, waitForLine } from './processes.js';
import { ticksToMs } from './proc-stats.js';
import { CLIENT_OPTIONS, DIRECT, GATEWAY, RELAY, type Route, type Target, validate } from './requests.js';
import type { ExtraRowContext } from './extra-rows.js';
import { startGateway } from './servers.js';

const FLOOR: Target = { ...DIRECT, name: 'floor', side: 'gateway' };

export async function floorRows({ pinning, upstream, log }: ExtraRowContext): Promise<Row[]> {
  const gateway = await startGateway(pinning, upstream.origin);
  const port = await freePort();
  const floor = launch('floor proxy', ['--import', GUARD, path.join(ROOT, 'bench', 'floor-proxy.mjs')], { ...process.env, FLOOR_UPSTREAM: upstream.origin, PORT: String(port) }, pinning.gatewayCpu);
  const pools = {
    direct: new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: 1 }),
    gateway: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: 1 }),
    floor: new Pool(`http://${HOST}:${port}`, { ...CLIENT_OPTIONS, connections: 1 }),
    gatewayLoad: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: config.connections }),
    floorLoad: new Pool(`http://${HOST}:${port}`, { ...CLIENT_OPTIONS, connections: config.connections }),
  };
  try {
    await waitForLine(floor, /listening \d+/, 10_000);
    await validate(pools.gateway, GATEWAY, MODEL);
    await validate(pools.floor, FLOOR, MODEL);
    const gatewayPids = { gateway: gateway.child.pid, upstream: upstream.child.pid };
    const floorPids = { gateway: floor.pid, upstream: upstream.child.pid };
    log(`floor: warming OpenSq and the floor (${config.warmupRequests} requests each)`);
    await warmUp('json', pools.gatewayLoad, GATEWAY, gatewayPids);
    await warmUp('json', pools.floorLoad, FLOOR, floorPids);
    log('floor: OpenSq beside a bare Node proxy (node:http + undici), one connection');
    const floorRoute: Route = { ...RELAY, label: 'floor', gateway: FLOOR };
    const lanes: Lane[] = [
      { route: RELAY, pools: { direct: pools.direct, gateway: pools.gateway }, warmup: 200 },
      { route: floorRoute, pools: { direct: pools.direct, gateway: pools.floor }, warmup: 200 },
    ];
    const count = Math.min(config.requests, 1000);
    const [ours, bare] = await sequential('json', lanes, count);
    log('floor: 32-connection slices alternating OpenSq and the floor, non-streaming and streaming');
    const cpu: Record<'json' | 'stream', { ours: SliceTotals; floor: SliceTotals }> = {
      json: { ours: emptyTotals(), floor: emptyTotals() },
      stream: { ours: emptyTotals(), floor: emptyTotals() },
    };
    const slices = Math.max(2, Math.round(config.durationS / 2));
    for (const kind of ['json', 'stream'] as const) {
      await loadSlice(kind, pools.gatewayLoad, GATEWAY, 500, gatewayPids, emptyTotals(), false);
      await loadSlice(kind, pools.floorLoad, FLOOR, 500, floorPids, emptyTotals(), false);
      for (let i = 0; i < slices; i++) {
        const order = i % 2 === 0 ? (['ours', 'floor'] as const) : (['floor', 'ours'] as const);
        for (const side of order) {
          if (side === 'ours') await loadSlice(kind, pools.gatewayLoad, GATEWAY, 1000, gatewayPids, cpu[kind].ours);
          else await loadSlice(kind, pools.floorLoad, FLOOR, 1000, floorPids, cpu[kind].floor);
        }
      }
    }
    const perRequest = (t: SliceTotals): number => ticksToMs(t.gatewayTicks) / Math.max(1, t.requests);
    const errors = (t: SliceTotals): string => (t.errors ? `, ${t.errors} errors (${t.firstError})` : '');
    const oursAdded = ours.gateway.p50 - ours.direct.p50;
    const floorAdded = bare.gateway.p50 - bare.direct.p50;
    const cpuLine = (kind: 'json' | 'stream'): string => {
      const o = perRequest(cpu[kind].ours);
      const f = perRequest(cpu[kind].floor);
      return `OpenSq ${o.toFixed(3)} ms = ${(o / f).toFixed(2)}× the floor's ${f.toFixed(3)} ms${errors(cpu[kind].ours)}${errors(cpu[kind].floor)}`;
    };
    return [
      { figure: 'floor (bare node:http + undici proxy): added p50, non-streaming, 1 connection', measured: `OpenSq +${oursAdded.toFixed(3)} ms, floor +${floorAdded.toFixed(3)} ms (${(oursAdded / floorAdded).toFixed(2)}×)`, goal: 'none', status: 'INFO' },
      { figure: 'floor: CPU per request, 32 connections, non-streaming', measured: cpuLine('json'), goal: 'none', status: 'INFO' },
      { figure: 'floor: CPU per request, 32 connections, streaming', measured: cpuLine('stream'), goal: 'none', status: 'INFO' },
    ];
  } finally {
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
    await stopChild(floor);
    await stopChild(gateway.child);
  }
}
