/**
 * (d) The relay with limits and credits switched on, next to the bare relay: a second gateway
 * whose key has every limit and a credit balance (bench/limits-line.ts), measured in slices
 * alternating with the bare relay so both see the same machine.
 */
import { Pool } from 'undici';
import { MODEL, config } from './config.js';
import { type LimitsLine, limitedKeyHeaders, limitsGatewayEnv } from './limits-line.js';
import { type Pids, type SliceTotals, emptyTotals, loadSlice, warmUp } from './measure.js';
import { stopChild } from './processes.js';
import { ticksToMs } from './proc-stats.js';
import { CLIENT_OPTIONS, GATEWAY, type Target, validate } from './requests.js';
import { type Gateway, type Pinning, type Upstream, startGateway } from './servers.js';

export async function limitsLine(pinning: Pinning, upstream: Upstream, bare: Gateway, pids: Pids): Promise<LimitsLine> {
  const limited = await startGateway(pinning, upstream.origin, [], undefined, limitsGatewayEnv);
  const limitedTarget: Target = { ...GATEWAY, headers: await limitedKeyHeaders(limited.origin) };
  const pools = {
    bare: new Pool(bare.origin, { ...CLIENT_OPTIONS, connections: config.connections }),
    limited: new Pool(limited.origin, { ...CLIENT_OPTIONS, connections: config.connections }),
  };
  const limitedPids: Pids = { ...pids, gateway: limited.child.pid! };
  const totals = { bare: emptyTotals(), limited: emptyTotals() };
  try {
    await validate(pools.limited, limitedTarget, MODEL);
    // Fresh beside the warm bare gateway: warmed as far, else (d) reads its JIT warm-up (2.6× instead of 1.2×).
    await warmUp('json', pools.limited, limitedTarget, limitedPids);
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
