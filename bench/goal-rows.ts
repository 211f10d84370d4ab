/**
 * The table of goals (issue 16): one row per figure, each measured in this run beside its
 * reference (the direct call, or Portkey), with PASS, FAIL or SKIP (the reference could not be
 * had: said why, never a failed bench).
 */
import { int, ms, table } from './format.js';
import type { LoadResult, SequentialResult } from './measure.js';
import type { PortkeyLine } from './portkey-line.js';
import type { Memory } from './proc-stats.js';

export interface Row {
  figure: string;
  /** What this run measured, with its reference where there is one. */
  measured: string;
  goal: string;
  /** INFO: a figure shown beside the goals, with none of its own. */
  status: 'PASS' | 'FAIL' | 'SKIP' | 'INFO';
  /** How it was measured, or why it was skipped. */
  note?: string;
}

export const GOALS = {
  addedJsonP50Ms: 0.2,
  addedDoneP50Ms: 0.3,
  cpuMsPerRequest: 0.1,
  portkeyRatio: 12,
  idleRssMB: 70,
  peakRssMB: 150,
};

export interface GoalInputs {
  seqJson: SequentialResult;
  seqStream: SequentialResult;
  loadJson: LoadResult;
  idle: Memory;
  /** The gateway's peak RSS under the 32-connection load (sampled, or VmHWM). */
  peakRssMB: number;
  connections: number;
  portkey: PortkeyLine;
}

const pass = (ok: boolean): Row['status'] => (ok ? 'PASS' : 'FAIL');

export function goalRows(r: GoalInputs): Row[] {
  const addedJson = r.seqJson.gateway.p50 - r.seqJson.direct.p50;
  const addedDone = r.seqStream.gateway.p50 - r.seqStream.direct.p50;
  const cpu = r.loadJson.gateway.cpuMsPerRequest;
  const rows: Row[] = [
    {
      figure: 'added p50, non-streaming, 1 connection',
      measured: `+${ms(addedJson)} (direct ${ms(r.seqJson.direct.p50)}, via OpenSq ${ms(r.seqJson.gateway.p50)})`,
      goal: `≤ ${ms(GOALS.addedJsonP50Ms)}`,
      status: pass(addedJson <= GOALS.addedJsonP50Ms),
    },
    {
      figure: 'added p50 to [DONE], 20-chunk stream, 1 connection',
      measured: `+${ms(addedDone)} (direct ${ms(r.seqStream.direct.p50)}, via OpenSq ${ms(r.seqStream.gateway.p50)})`,
      goal: `≤ ${ms(GOALS.addedDoneP50Ms)}`,
      status: pass(addedDone <= GOALS.addedDoneP50Ms),
    },
    {
      figure: `gateway CPU per request, ${r.connections} connections`,
      measured: `${ms(cpu)} (${int(r.loadJson.gateway.rpsPerCore)} req/s per core)`,
      goal: `≤ ${ms(GOALS.cpuMsPerRequest)}`,
      status: pass(cpu <= GOALS.cpuMsPerRequest),
    },
    portkeyRow(r.portkey),
    {
      figure: `RSS idle / peak under ${r.connections} connections`,
      measured: `${r.idle.rssMB.toFixed(1)} MB / ${r.peakRssMB.toFixed(1)} MB`,
      goal: `≤ ${GOALS.idleRssMB} MB / ≤ ${GOALS.peakRssMB} MB`,
      status: pass(r.idle.rssMB <= GOALS.idleRssMB && r.peakRssMB <= GOALS.peakRssMB),
    },
  ];
  return rows;
}

function portkeyRow(line: PortkeyLine): Row {
  const figure = 'throughput beside Portkey, same core';
  const goal = `≥ ${GOALS.portkeyRatio}×`;
  if ('skipped' in line) return { figure, measured: 'not measured', goal, status: 'SKIP', note: line.skipped };
  const { opensq, portkey } = line.load;
  const ratio = portkey.cpuMsPerRequest / opensq.cpuMsPerRequest;
  const added = (s: SequentialResult): number => s.gateway.p50 - s.direct.p50;
  return {
    figure,
    measured: `${ratio.toFixed(1)}× (CPU/req Portkey ${ms(portkey.cpuMsPerRequest)}, OpenSq ${ms(opensq.cpuMsPerRequest)}; raw req/s ${(opensq.rps / portkey.rps).toFixed(1)}×)`,
    goal,
    status: pass(ratio >= GOALS.portkeyRatio),
    note:
      `Portkey ${line.version}: added p50 +${ms(added(line.seqJson[1]))} non-streaming (OpenSq in the same blocks +${ms(added(line.seqJson[0]))}); ` +
      (line.seqStream
        ? `to [DONE] +${ms(added(line.seqStream[1]))} (OpenSq +${ms(added(line.seqStream[0]))}); `
        : `streams not measured (${line.streamFailure?.slice(0, 120)}); `) +
      `Portkey peak RSS ${line.portkeyPeakRssMB.toFixed(1)} MB`,
  };
}

/** The rows as the report prints them. */
export function formatGoalRows(rows: readonly Row[]): string[] {
  const out = [table([['figure', 'measured (this run)', 'goal', ''], ...rows.map((row) => [row.figure, row.measured, row.goal, row.status])])];
  for (const row of rows) if (row.note) out.push(`  ${row.figure}: ${row.note}`);
  return out;
}
