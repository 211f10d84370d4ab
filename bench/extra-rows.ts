/**
 * Rows of the goal table that are measured by their own modules, each with its own gateway and
 * load (the 1,000 slow streams: bench/slow-streams.ts; `serve --workers 2` against one worker:
 * bench/workers-bench.ts). They run after the main measurements, when the main gateway has been
 * stopped, so they do not disturb it. A module adds itself to MEASURES; a measure that throws
 * becomes a FAIL row naming the error, so the table is always whole.
 */
import type { Row } from './goal-rows.js';
import type { Pinning, Upstream } from './servers.js';

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
  measure(context: ExtraRowContext): Promise<Row>;
}

/** Wired in when merging, e.g. `{ figure: '1,000 concurrent 10-second streams', goal: '…', measure: slowStreamsRow }`. */
const MEASURES: ExtraMeasure[] = [];

export async function extraRows(context: ExtraRowContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const m of MEASURES) {
    try {
      rows.push(await m.measure(context));
    } catch (error) {
      rows.push({ figure: m.figure, measured: 'failed', goal: m.goal, status: 'FAIL', note: (error as Error).message.split('\n')[0].slice(0, 300) });
    }
  }
  return rows;
}
