import v8 from 'node:v8';

/** V8's own default for --semi-space-growth-factor (flag-definitions.h, V8 11 to 12). */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/** Whether the operator set the young generation's size themselves (node flags or NODE_OPTIONS). */
function setByOperator(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => /^--(max-|min-)?semi[-_]space[-_]/.test(flag));
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
 * Lets the young generation grow again, as V8 would by default, once start-up is done: under load
 * it sizes itself to the traffic, so requests pay no more scavenges than before.
 */
export function releaseYoungGeneration(): void {
  if (!held) return;
  v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
  held = false;
}
