/**
 * The report's part on translation: the OpenAI-compatible relay next to the Gemini and Anthropic
 * adapters, from the same run — (a) added latency, (b) the gateway's CPU per request — in text
 * and in JSON (`translation` in .bench/last.json).
 */
import { config } from './config.js';
import { int, ms, roundDist, roundGateway, signedMs, table } from './format.js';
import type { GatewayLoadResult, SequentialResult } from './measure.js';
import type { Route } from './requests.js';
import { type Dist, round } from './stats.js';

/** One route's numbers: its sequential results and its gateway's under load. */
export interface RouteResult {
  route: Route;
  seqJson: SequentialResult;
  seqStream: SequentialResult;
  loadJson: GatewayLoadResult;
  loadStream: GatewayLoadResult;
}

interface Added {
  jsonP50: number;
  jsonP99: number;
  firstP50: number;
  firstP99: number;
  doneP50: number;
  doneP99: number;
}

function added(r: RouteResult): Added {
  return {
    jsonP50: r.seqJson.gateway.p50 - r.seqJson.direct.p50,
    jsonP99: r.seqJson.gateway.p99 - r.seqJson.direct.p99,
    firstP50: r.seqStream.gatewayFirst!.p50 - r.seqStream.directFirst!.p50,
    firstP99: r.seqStream.gatewayFirst!.p99 - r.seqStream.directFirst!.p99,
    doneP50: r.seqStream.gateway.p50 - r.seqStream.direct.p50,
    doneP99: r.seqStream.gateway.p99 - r.seqStream.direct.p99,
  };
}

const ratio = (value: number, relay: number): string => (relay > 0 && Number.isFinite(value) ? `×${(value / relay).toFixed(2)}` : '');

/** What a direct stream's end is, per route. */
function endOf(r: RouteResult): string {
  return r.route.direct.doneMarker ?? 'the end of the body';
}

/** Section (d) of the printed report; `results[0]` is the relay. */
export function formatTranslation(results: readonly RouteResult[], relaySliceS: number): string[] {
  const [relay] = results;
  const out: string[] = [];
  const name = (r: RouteResult): string => r.route.name;
  const translated = results.slice(1);
  out.push(`(d) translation: the OpenAI-compatible relay next to the ${translated.map(name).join(' and ')} adapters, in the same run`);
  out.push(
    `  sequential, one connection, interleaved with the relay's blocks in (a): ${int(translated[0]?.seqJson.requests ?? 0)} requests per path and mode after ${config.translatedWarmup} warm-up each; ` +
      'direct = the fake upstream in the provider\'s own format (the body the adapter sends), via gateway = the same conversation in OpenAI\'s format',
  );
  const seqRows: string[][] = [['', '', 'direct p50', 'via gateway p50', 'added p50', 'direct p99', 'via gateway p99', 'added p99']];
  const metric = (label: string, pick: (r: RouteResult) => [Dist, Dist]): void => {
    results.forEach((r, i) => {
      const [direct, gateway] = pick(r);
      seqRows.push([i === 0 ? label : '', name(r), ms(direct.p50), ms(gateway.p50), signedMs(gateway.p50 - direct.p50), ms(direct.p99), ms(gateway.p99), signedMs(gateway.p99 - direct.p99)]);
    });
  };
  metric('non-streaming', (r) => [r.seqJson.direct, r.seqJson.gateway]);
  metric('streaming, 1st chunk', (r) => [r.seqStream.directFirst!, r.seqStream.gatewayFirst!]);
  metric('streaming, end', (r) => [r.seqStream.direct, r.seqStream.gateway]);
  out.push(table(seqRows));
  out.push(
    `  a stream's end: [DONE] via the gateway; direct ${results.map((r) => `${name(r)} ${endOf(r)}`).join(', ')}. ` +
      `Reads per stream direct / via gateway: ${results.map((r) => `${name(r)} ${r.seqStream.directReads!.toFixed(1)} / ${r.seqStream.gatewayReads!.toFixed(1)}`).join(', ')}`,
  );
  out.push('');
  const sliceS = relaySliceS * config.translatedSliceShare;
  out.push(
    `  ${config.connections} connections, through the gateway only, in the rounds of (b): the translated routes get ${sliceS.toFixed(2)} s slices next to the relay's ${relaySliceS.toFixed(2)} s`,
  );
  const loadRows: string[][] = [['', '', 'req/s', 'latency p50 / p99', 'gw CPU/req', 'vs relay', 'req/s/core', 'gw CPU', 'up+gen CPU', 'errors']];
  for (const [label, pick] of [
    ['non-streaming', (r: RouteResult) => r.loadJson],
    ['streaming', (r: RouteResult) => r.loadStream],
  ] as const) {
    results.forEach((r, i) => {
      const g = pick(r);
      loadRows.push([
        i === 0 ? label : '',
        name(r),
        int(g.rps),
        `${ms(g.latency.p50)} / ${ms(g.latency.p99)}`,
        ms(g.cpuMsPerRequest),
        i === 0 ? '' : ratio(g.cpuMsPerRequest, pick(relay).cpuMsPerRequest),
        int(g.rpsPerCore),
        `${g.gatewayCpuPct.toFixed(0)}%`,
        `${g.core1CpuPct.toFixed(0)}%`,
        int(g.errors),
      ]);
    });
  }
  out.push(table(loadRows));
  for (const r of translated) {
    for (const g of [r.loadJson, r.loadStream]) if (g.firstError) out.push(`  first error (${name(r)}): ${g.firstError}`);
  }
  return out;
}

/** One line per translated route for the report's summary. */
export function summarizeTranslation(results: readonly RouteResult[]): string[] {
  const [relay, ...translated] = results;
  const a0 = added(relay);
  return translated.map((r) => {
    const a = added(r);
    return (
      `  ${r.route.name}: added p50 ${ms(a.jsonP50)} non-streaming (relay ${ms(a0.jsonP50)}), ${ms(a.doneP50)} to a stream's end (relay ${ms(a0.doneP50)}); ` +
      `CPU/req ${ms(r.loadJson.cpuMsPerRequest)} / ${ms(r.loadStream.cpuMsPerRequest)} = ${ratio(r.loadJson.cpuMsPerRequest, relay.loadJson.cpuMsPerRequest)} / ${ratio(r.loadStream.cpuMsPerRequest, relay.loadStream.cpuMsPerRequest)} the relay's`
    );
  });
}

/** `translation` in .bench/last.json. */
export function translationJson(results: readonly RouteResult[], relaySliceS: number) {
  const [relay] = results;
  return {
    translatedWarmup: config.translatedWarmup,
    sliceS: { relay: relaySliceS, translated: round(relaySliceS * config.translatedSliceShare, 3) },
    routes: Object.fromEntries(
      results.map((r) => {
        const a = added(r);
        return [
          r.route.name,
          {
            label: r.route.label,
            model: r.route.model,
            directStreamEnd: endOf(r),
            sequential: {
              requests: r.seqJson.requests,
              nonStreaming: { direct: roundDist(r.seqJson.direct), gateway: roundDist(r.seqJson.gateway), addedP50Ms: round(a.jsonP50, 4), addedP99Ms: round(a.jsonP99, 4) },
              streaming: {
                requests: r.seqStream.requests,
                firstChunk: { direct: roundDist(r.seqStream.directFirst), gateway: roundDist(r.seqStream.gatewayFirst), addedP50Ms: round(a.firstP50, 4), addedP99Ms: round(a.firstP99, 4) },
                done: { direct: roundDist(r.seqStream.direct), gateway: roundDist(r.seqStream.gateway), addedP50Ms: round(a.doneP50, 4), addedP99Ms: round(a.doneP99, 4) },
                readsPerStream: { direct: round(r.seqStream.directReads!, 2), gateway: round(r.seqStream.gatewayReads!, 2) },
              },
            },
            load: {
              nonStreaming: roundGateway(r.loadJson),
              streaming: roundGateway(r.loadStream),
              cpuPerRequestVsRelay: {
                nonStreaming: round(r.loadJson.cpuMsPerRequest / relay.loadJson.cpuMsPerRequest, 3),
                streaming: round(r.loadStream.cpuMsPerRequest / relay.loadStream.cpuMsPerRequest, 3),
              },
            },
          },
        ];
      }),
    ),
  };
}
