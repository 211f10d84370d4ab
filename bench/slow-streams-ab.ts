/**
 * The 1,000-slow-streams row for two builds side by side, alternating, each with its own fake
 * upstream and gateway: gateway CPU, wall time and peak RSS per round, and the CPU ratio this / other.
 *
 *   node --import tsx bench/slow-streams-ab.ts <other>/dist/cli/main.js [rounds]
 *
 * SLOW_STREAMS_PROFILE=<dir> runs this build's gateway under `--cpu-prof` into that directory.
 */
import { existsSync } from 'node:fs';
import { GATEWAY_ENTRY } from './config.js';
import { initClockTicks } from './proc-stats.js';
import { installCleanup } from './processes.js';
import { type SlowStreamsResult, measureSlowStreams } from './slow-streams.js';

installCleanup();
initClockTicks();
const other = process.argv[2];
if (!other || !existsSync(other)) throw new Error('usage: node --import tsx bench/slow-streams-ab.ts <other dist/cli/main.js> [rounds]');
const rounds = Number(process.argv[3] ?? 2);
const profileDir = process.env.SLOW_STREAMS_PROFILE;
/** The gateway's CPU for the whole round, in ms: what a busy machine's longer wall time does not dilute. */
const cpuMs = (r: SlowStreamsResult): number => r.cpuPct * r.wallS * 10;
const line = (name: string, r: SlowStreamsResult): string =>
  `${name}: ${r.completed}/${r.streams} in ${r.wallS.toFixed(1)} s, CPU ${(cpuMs(r) / r.streams).toFixed(3)} ms per stream, ${r.cpuPct.toFixed(2)}% of a core (kernel ${r.kernelPct.toFixed(2)}%, off the main thread ${r.offMainPct.toFixed(2)}%), peak RSS ${Math.round(r.peakRssMB)} MB, first token p50 ${Math.round(r.firstTokenMs.p50)} ms`;
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? ['this', 'other'] : ['other', 'this'];
  const results: Record<string, SlowStreamsResult> = {};
  for (const name of order) {
    const nodeArgs = name === 'this' && profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    results[name] = await measureSlowStreams({ entry: name === 'this' ? GATEWAY_ENTRY : other, nodeArgs });
    process.stdout.write(`round ${round} ${line(name, results[name])}\n`);
  }
  process.stdout.write(`round ${round} CPU per stream this/other ${(cpuMs(results.this) / cpuMs(results.other)).toFixed(3)}\n`);
}
process.exit(0);
