/**
 * Rows of the goal table that are measured by their own modules, each with its own gateway and
 * load (OpenSq beside a bare Node proxy: bench/floor-row.ts; the 1,000 slow streams: bench/slow-streams.ts; `serve --workers 2` against one worker:
 * bench/workers-bench.ts). They run after the main measurements, when the main gateway has been
 * stopped, so they do not disturb it. A module adds itself to MEASURES; a measure that throws
 * becomes a FAIL row naming the error, so the table is always whole.
 */
import type { Row } from './goal-rows.js';
import type { Pinning, Upstream } from './servers.js';
import { floorRows } from './floor-row.js';
import { slowStreamsRows } from './slow-streams.js';
import { workersRows } from './workers-bench.js';

/** What an extra row may use: the pinning (servers on core 0, load on core 1) and the running fake upstream. */
export interface ExtraRowContext {
  pinning: Pinning;
  upstream: Upstream;
  log(line: string): void;
}

export interface ExtraMeasure {
  /** The row's figure, for the FAIL row when the measure throws. */
  figure: string;
  goal: string;
  measure(context: ExtraRowContext): Promise<Row[]>;
}

/** The modules' own rows (name, pass — undefined for a figure without a goal —, measured, target) as the table's. */
interface ModuleRow {
  name: string;
  pass: boolean | undefined;
  measured: string;
  target: string;
}

const asRows = (rows: readonly ModuleRow[]): Row[] =>
  rows.map((r) => ({ figure: r.name, measured: r.measured, goal: r.target, status: r.pass === undefined ? 'INFO' : r.pass ? 'PASS' : 'FAIL' }));

/** Each starts its own gateway (the floor its proxy, the slow streams their own slow fake upstream). */
const MEASURES: ExtraMeasure[] = [
  { figure: 'floor (bare node:http + undici proxy)', goal: 'none', measure: floorRows },
  { figure: '1,000 concurrent 10-second streams', goal: 'all done ≤ 12 s, ≤ 200 MB, ≤ 5% of a core', measure: async () => asRows(await slowStreamsRows()) },
  { figure: '`--workers 2` throughput vs 1 worker', goal: '≥ 1.8×', measure: async () => asRows(await workersRows()) },
];

export async function extraRows(context: ExtraRowContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const m of MEASURES) {
    try {
      rows.push(...(await m.measure(context)));
    } catch (error) {
      rows.push({ figure: m.figure, measured: 'failed', goal: m.goal, status: 'FAIL', note: (error as Error).message.split('\n')[0].slice(0, 300) });
    }
  }
  return rows;
}
