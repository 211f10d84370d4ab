import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's own default for --semi-space-growth-factor (flag-definitions.h, V8 11 to 12). */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/**
 * How far V8 lets the old generation grow past what survived its last full GC before the next one,
 * in percent. V8's own factor rises to ×4 with a heap limit as large as Node's default, and under
 * 32 connections the in-flight requests' promoted objects took RSS to 210-230 MB; ×2 held it at
 * 164-175 MB with GC time per request unchanged within noise (bench/mem-ab.ts, issue 16).
 */
const HEAP_GROWING_PERCENT = 100;

/** Whether the operator sized V8's heap themselves (node flags or NODE_OPTIONS): then we leave it be. */
function setByOperator(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => /^--(max-|min-)?semi[-_]space[-_]|^--heap[-_]growing[-_]percent/.test(flag));
}

let held = false;

/**
 * Keeps V8's young generation at its starting size while the server loads its modules. Module
 * loading is one long burst of objects that all survive, and on that signal V8 grows each semi-space
 * to its maximum (16 MB) and keeps the pages afterwards: about 15 MB of idle RSS that no request
 * asked for. Held, the loaded code is promoted to the old generation directly, where it belongs.
 */
export function holdYoungGeneration(): void {
  if (setByOperator()) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  held = true;
}

/**
 * Ends start-up: one compacting full GC returns the old-generation pages that start-up's garbage
 * left half-empty (about 6 MB), then the young generation may grow again as V8 would by default:
 * under load it sizes itself to the traffic, so requests pay no more scavenges than before.
 */
export function endStartUp(): void {
  if (!held) return;
  held = false;
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  // Set before the GC: the old generation's next limit is computed at its end.
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  v8.setFlagsFromString('--compact-on-every-full-gc');
  gc();
  v8.setFlagsFromString('--no-compact-on-every-full-gc');
  v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}
