/** Number formatting and the plain-text tables of the report; rounding for the JSON. */
import type { GatewayLoadResult } from './measure.js';
import { type Dist, round } from './stats.js';

export function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

export function signedMs(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`;
}

export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => indent + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ').trimEnd())
    .join('\n');
}

export function roundDist(d: Dist | undefined): Record<string, number> | undefined {
  return d && Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k === 'n' ? v : round(v, 4)]));
}

export function roundGateway(g: GatewayLoadResult) {
  return { ...g, latency: roundDist(g.latency), rps: round(g.rps, 1), cpuMsPerRequest: round(g.cpuMsPerRequest, 4), kernelMsPerRequest: round(g.kernelMsPerRequest, 4), rpsPerCore: round(g.rpsPerCore, 0), gatewayCpuPct: round(g.gatewayCpuPct, 1), core1CpuPct: round(g.core1CpuPct, 1) };
}
