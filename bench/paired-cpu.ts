/**
 * CPU per request of two builds loaded at the same time, not alternately: each gets 16 connections
 * of the same requests for the whole measured stretch, so a busy machine's noise falls on both
 * alike. Prints each build's CPU per request (utime+stime, and the kernel's part) and this / other.
 * A run of this build against itself shows the bias of the setup (about 0.98–0.99 here).
 *
 *   node --import tsx bench/paired-cpu.ts <other>/dist/cli/main.js [seconds per slice = 30] [stream|json]
 */
import { Pool } from 'undici';
import { GATEWAY_ENTRY } from './config.js';
import { installCleanup, stopChild } from './processes.js';
import { CLIENT_OPTIONS } from './requests.js';
import { startGateway, startUpstream } from './servers.js';
import { cpuSplit, initClockTicks, ticksToMs } from './proc-stats.js';
installCleanup();
initClockTicks();
const pin = { pinned: false, gatewayCpu: undefined, loadCpu: undefined, note: '' };
const up = await startUpstream(pin);
const other = process.argv[2];
const seconds = Number(process.argv[3] ?? 30);
const stream = process.argv[4] !== 'json';
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream });
const sides: Array<{ name: string; gw: Awaited<ReturnType<typeof startGateway>>; pool: Pool; n: number }> = [];
for (const [name, entry] of [['this', GATEWAY_ENTRY], ['other', other]] as const) {
  const gw = await startGateway(pin, up.origin, [], undefined, () => ({}), entry);
  sides.push({ name, gw, pool: new Pool(gw.origin, { ...CLIENT_OPTIONS, connections: 16 }), n: 0 });
}
/** One connection's loop of requests until `until`, each answer read whole and checked. */
async function run(side: (typeof sides)[number], until: number, count: boolean): Promise<void> {
  while (performance.now() < until) {
    const res = await side.pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer openai' }, body });
    const text = await res.body.text();
    if (res.statusCode !== 200 || (stream && !text.endsWith('data: [DONE]\n\n'))) throw new Error(`bad answer ${res.statusCode}`);
    if (count) side.n++;
  }
}
const load = async (ms: number, count: boolean): Promise<void> => {
  const until = performance.now() + ms;
  await Promise.all(sides.flatMap((s) => Array.from({ length: 16 }, () => run(s, until, count))));
};
await load(3000, false);
for (let r = 0; r < 3; r++) {
  const before = sides.map((s) => cpuSplit(s.gw.child.pid));
  for (const s of sides) s.n = 0;
  await load(seconds * 1000, true);
  const per = sides.map((s, i) => {
    const after = cpuSplit(s.gw.child.pid);
    const ms = ticksToMs(after.user - before[i].user + after.system - before[i].system);
    return { name: s.name, n: s.n, msPerReq: ms / s.n, sysPerReq: ticksToMs(after.system - before[i].system) / s.n };
  });
  console.log(`${stream ? 'stream' : 'json'} slice ${r + 1}: ` + per.map((p) => `${p.name} ${p.n} req, ${p.msPerReq.toFixed(4)} ms/req (sys ${p.sysPerReq.toFixed(4)})`).join('; ') + `; this/other ${(per[0].msPerReq / per[1].msPerReq).toFixed(3)}`);
}
for (const s of sides) {
  await s.pool.close();
  await stopChild(s.gw.child);
}
await stopChild(up.child);
process.exit(0);
