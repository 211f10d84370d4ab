/** The report: the text printed at the end, the goals, and the JSON written to .bench/last.json. */
import { type Row, formatGoalRows, goalRows } from './goal-rows.js';
import { type LimitsLine, formatLimitsLine } from './limits-line.js';
import type { PortkeyLine } from './portkey-line.js';
import os from 'node:os';
import path from 'node:path';
import { CONTENT_CHUNKS, MODEL, ROOT, SEQUENTIAL_BLOCK, SEQUENTIAL_TIME_LIMIT_MS, config } from './config.js';
import { type LoadResult, type SequentialResult, relaySliceMs } from './measure.js';
import { type Memory, type NoiseMeter, clockTicks } from './proc-stats.js';
import type { ProfileResult } from './profile.js';
import { type RouteResult, formatTranslation, summarizeTranslation, translationJson } from './report-translation.js';
import type { Pinning } from './servers.js';
import { int, ms, roundDist, roundGateway, signedMs, table } from './format.js';
import { round } from './stats.js';

export function upstreamChunking(): string {
  const delay = Number(process.env.FAKE_CHUNK_DELAY_MS || 0);
  if (delay > 0) return `${CONTENT_CHUNKS}-chunk streams, ${delay} ms between chunks (FAKE_CHUNK_DELAY_MS)`;
  if (process.env.FAKE_SYNC_CHUNKS === '1') return `${CONTENT_CHUNKS}-chunk streams, all written in one tick (FAKE_SYNC_CHUNKS=1)`;
  return `${CONTENT_CHUNKS}-chunk streams, no delay, one event-loop turn per chunk`;
}

/** Everything one run measured. */
export interface RunResults {
  /** Date.now() when the run started. */
  started: number;
  cores: number;
  pinning: Pinning;
  seqJson: SequentialResult;
  seqStream: SequentialResult;
  loadJson: LoadResult;
  loadStream: LoadResult;
  /** The relay and the translated routes side by side; undefined with BENCH_TRANSLATION=0. */
  translation?: RouteResult[];
  idle: Memory;
  warm: Memory;
  after: Memory;
  peakRssMB: number;
  seqNoise: NoiseMeter;
  loadNoise: NoiseMeter;
  gatewayAlive: boolean;
  profile?: ProfileResult;
  profileError?: string;
  /** (d) limits and credits on, next to the bare relay. */
  limits: LimitsLine;
  /** OpenSq beside Portkey, or why Portkey was not measured. */
  portkey: PortkeyLine;
  /** Rows measured by their own modules (bench/extra-rows.ts). */
  extra: Row[];
}

/** The printed report and the JSON of one run. */
export function buildReport(results: RunResults): { text: string; json: unknown } {
  const { started, cores, pinning, seqJson, seqStream, loadJson, loadStream, translation, idle, warm, after, peakRssMB, seqNoise, loadNoise, gatewayAlive, profile, profileError, limits, portkey, extra } = results;
  const added = {
    jsonP50: seqJson.gateway.p50 - seqJson.direct.p50,
    jsonP99: seqJson.gateway.p99 - seqJson.direct.p99,
    firstP50: seqStream.gatewayFirst!.p50 - seqStream.directFirst!.p50,
    firstP99: seqStream.gatewayFirst!.p99 - seqStream.directFirst!.p99,
    doneP50: seqStream.gateway.p50 - seqStream.direct.p50,
    doneP99: seqStream.gateway.p99 - seqStream.direct.p99,
  };
  const peakMB = Math.max(after.hwmMB, peakRssMB);
  const goals: Row[] = [...goalRows({ seqJson, seqStream, loadJson, idle, peakRssMB: peakMB, connections: config.connections, portkey }), ...extra];

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
      [`${idle.rssMB.toFixed(1)} MB`, `${warm.rssMB.toFixed(1)} MB`, `${peakRssMB.toFixed(1)} MB`, `${after.rssMB.toFixed(1)} MB`, `${after.hwmMB.toFixed(1)} MB`],
    ]),
  );
  out.push('');
  if (translation) {
    out.push(...formatTranslation(translation, relaySliceMs() / 1000));
    out.push('');
  }
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
  if (translation) out.push(...summarizeTranslation(translation));
  out.push('');
  out.push(...formatLimitsLine(limits, config.connections));
  out.push('');
  out.push('Goals (issue 16), each measured in this run beside its reference:');
  out.push(...formatGoalRows(goals));
  out.push(`  streaming CPU/req for reference: ${ms(loadStream.gateway.cpuMsPerRequest)}; a shared machine makes every figure noisy (see "background"): compare ratios within one run`);
  if (!gatewayAlive) out.push('  WARNING: the gateway had exited before the end of the run.');
  if (profile) {
    out.push('');
    out.push(`Profile of the gateway under ${config.connections}-connection ${profile.kind === 'json' ? 'non-streaming' : 'streaming'} load, route ${profile.route} (${int(profile.rps)} req/s while profiled${profile.windowed ? ', load window only' : ', whole process lifetime'}):`);
    out.push(profile.text.trimEnd());
    out.push(`  (profile ${path.relative(ROOT, profile.file)}, summary ${path.relative(ROOT, profile.summaryFile)}; open the .cpuprofile in Chrome DevTools for the flame chart)`);
  } else if (profileError) {
    out.push('', `Profiling failed: ${profileError}`);
  }
  out.push('');
  out.push(`total ${((Date.now() - started) / 1000).toFixed(1)} s; JSON in .bench/last.json`);
  const roundLoad = (r: LoadResult) => ({
    gateway: roundGateway(r.gateway),
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
    translation: translation ? translationJson(translation, relaySliceMs() / 1000) : undefined,
    limitsAndCredits: {
      bareCpuMsPerRequest: round(limits.bareCpuMsPerRequest, 4),
      limitsCpuMsPerRequest: round(limits.limitsCpuMsPerRequest, 4),
      addedCpuMsPerRequest: round(limits.limitsCpuMsPerRequest - limits.bareCpuMsPerRequest, 4),
      bareRps: round(limits.bareRps, 1),
      limitsRps: round(limits.limitsRps, 1),
      errors: limits.errors,
    },
    memoryMB: { idle: round(idle.rssMB, 1), afterSequential: round(warm.rssMB, 1), peakRssUnderLoad: round(peakRssMB, 1), afterLoad: round(after.rssMB, 1), vmHWM: round(after.hwmMB, 1) },
    goals,
    portkey: 'skipped' in portkey
      ? portkey
      : {
          version: portkey.version,
          addedP50Ms: {
            opensqJson: round(portkey.seqJson[0].gateway.p50 - portkey.seqJson[0].direct.p50, 4),
            portkeyJson: round(portkey.seqJson[1].gateway.p50 - portkey.seqJson[1].direct.p50, 4),
            opensqDone: portkey.seqStream && round(portkey.seqStream[0].gateway.p50 - portkey.seqStream[0].direct.p50, 4),
            portkeyDone: portkey.seqStream && round(portkey.seqStream[1].gateway.p50 - portkey.seqStream[1].direct.p50, 4),
          },
          load: { opensq: roundGateway(portkey.load.opensq), portkey: roundGateway(portkey.load.portkey) },
          streamFailure: portkey.streamFailure,
          portkeyPeakRssMB: round(portkey.portkeyPeakRssMB, 1),
        },
    profile: profile
      ? {
          route: profile.route,
          kind: profile.kind,
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
  return { text: `${out.join('\n')}\n`, json };
}
