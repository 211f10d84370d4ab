/**
 * OpenSq beside Portkey (bench/portkey.ts), in one stretch of the run, both on core 0 with the
 * fake upstream: one connection, sequential blocks of direct / OpenSq / Portkey (added p50 over
 * the direct call, non-streaming and 20-chunk streams), then 32 connections in slices alternating
 * OpenSq / Portkey (req/s and each process's CPU per request). The throughput ratio is the
 * per-core capacity, Portkey's CPU per request over OpenSq's; the raw req/s ratio is shown too
 * (it is capped by the fake upstream sharing the core).
 */
import { Pool } from 'undici';
import { config } from './config.js';
import { type GatewayLoadResult, type Lane, type Pids, type SequentialResult, gatewayResult, load, relaySliceMs, sequential, warmUp } from './measure.js';
import { stopChild } from './processes.js';
import { memory } from './proc-stats.js';
import { PORTKEY_VERSION, installPortkey, startPortkey } from './portkey.js';
import { CLIENT_OPTIONS, DIRECT, GATEWAY, type Target } from './requests.js';
import type { Gateway, Pinning, Upstream } from './servers.js';

export type PortkeyLine =
  | { skipped: string }
  | {
      version: string;
      /** [OpenSq, Portkey], each against its own interleaved direct calls. */
      seqJson: [SequentialResult, SequentialResult];
      /** Absent when Portkey could not stream here (`streamFailure` says why). */
      seqStream?: [SequentialResult, SequentialResult];
      streamFailure?: string;
      load: { opensq: GatewayLoadResult; portkey: GatewayLoadResult };
      portkeyPeakRssMB: number;
    };

export async function portkeyLine(pinning: Pinning, upstream: Upstream, gateway: Gateway, pids: Pids, log: (line: string) => void): Promise<PortkeyLine> {
  if (!config.portkey) return { skipped: 'BENCH_PORTKEY=0' };
  const installed = installPortkey();
  if ('skipped' in installed) return { skipped: installed.skipped };
  let portkey;
  try {
    portkey = await startPortkey(installed.entry, pinning, upstream.origin);
  } catch (error) {
    return { skipped: `Portkey ${PORTKEY_VERSION} did not start: ${(error as Error).message.split('\n')[0]}` };
  }
  const portkeyPids: Pids = { ...pids, gateway: portkey.child.pid };
  const seq = { direct: new Pool(upstream.origin, { ...CLIENT_OPTIONS, connections: 1 }), opensq: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: 1 }), portkey: new Pool(portkey.origin, { ...CLIENT_OPTIONS, connections: 1 }) };
  const loaded = { opensq: new Pool(gateway.origin, { ...CLIENT_OPTIONS, connections: config.connections }), portkey: new Pool(portkey.origin, { ...CLIENT_OPTIONS, connections: config.connections }) };
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, memory(portkey.child.pid).rssMB);
    } catch {
      /* gone; the next request says so */
    }
  }, 100);
  try {
    await answers(seq.portkey, portkey.target, false);
    // Portkey 1.15.2 on Node 20 answers streams with a 500 (it appends to a fetch Response's immutable headers).
    const streamFailure = await answers(seq.portkey, portkey.target, true).then(
      () => undefined,
      (error: Error) => error.message,
    );
    const lane = (target: Target, pool: Pool): Lane => ({
      route: { name: 'relay', label: target.name, model: '', direct: DIRECT, gateway: target, validateDirect: async () => undefined },
      pools: { direct: seq.direct, gateway: pool },
      warmup: config.translatedWarmup,
    });
    const lanes = [lane(GATEWAY, seq.opensq), lane(portkey.target, seq.portkey)];
    log(`Portkey: sequential, non-streaming${streamFailure ? '' : ' and streaming'}, interleaved with OpenSq`);
    const seqJson = await sequential('json', lanes, config.requests);
    const seqStream = streamFailure ? undefined : await sequential('stream', lanes, config.requests);
    log(`Portkey: ${config.connections} connections, non-streaming, slices alternating with OpenSq`);
    await warmUp('json', loaded.portkey, portkey.target, portkeyPids);
    const [opensq, other] = await load(
      'json',
      [
        { target: GATEWAY, pool: loaded.opensq, sliceMs: relaySliceMs() },
        { target: portkey.target, pool: loaded.portkey, sliceMs: relaySliceMs(), pids: portkeyPids },
      ],
      pids,
      undefined,
    );
    return {
      version: PORTKEY_VERSION,
      seqJson: [seqJson[0], seqJson[1]],
      seqStream: seqStream && [seqStream[0], seqStream[1]],
      streamFailure,
      load: { opensq: gatewayResult(opensq), portkey: gatewayResult(other) },
      portkeyPeakRssMB: peak,
    };
  } catch (error) {
    return { skipped: `Portkey ${PORTKEY_VERSION} failed while measured: ${(error as Error).message.split('\n')[0].slice(0, 300)}` };
  } finally {
    clearInterval(sampler);
    await Promise.all([...Object.values(seq), ...Object.values(loaded)].map((p) => p.close().catch(() => undefined)));
    await stopChild(portkey.child);
  }
}

/** Portkey answers the fake's completion, or ends its stream with [DONE] (its own chunk shape is not checked). */
async function answers(pool: Pool, target: Target, stream: boolean): Promise<void> {
  const { path, body } = stream ? target.stream : target.json;
  const res = await pool.request({ method: 'POST', path, headers: target.headers, body });
  const text = await res.body.text();
  const ok = res.statusCode === 200 && (stream ? text.includes('[DONE]') : text.includes('"chat.completion"'));
  if (!ok) throw new Error(`portkey ${stream ? 'streaming' : 'non-streaming'}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
}
