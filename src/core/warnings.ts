/**
 * Warnings reach clients in the `x-opensq-warnings` header and operators in the log, so they are
 * built from the gateway's own words plus names that cannot carry anything else: a client-chosen
 * name (a body key, a voice, a tool type) is shown only when it is a plain identifier.
 */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_.:$-]{0,39}$/;

/** A client-chosen name as a warning may show it: a short identifier, else a neutral stand-in. */
export function clientName(value: unknown): string {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : '(a name not shown)';
}

/** Several client-chosen names: as many as fit in about 100 characters, at most `max`, and a count of the rest. */
export function clientNames(values: readonly unknown[], max = 5): string {
  const shown: string[] = [];
  let length = 0;
  for (const value of values) {
    const name = clientName(value);
    if (shown.length === max || (shown.length > 0 && length + name.length > 100)) break;
    shown.push(name);
    length += name.length + 2;
  }
  const rest = values.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

/** The most warnings one answer carries, and the longest one. */
export const MAX_WARNINGS = 8;
export const MAX_WARNING_LENGTH = 200;

/** Printable ASCII only (a header value cannot hold more), cut to MAX_WARNING_LENGTH. */
export function headerSafe(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]+/g, '?');
  return ascii.length > MAX_WARNING_LENGTH ? `${ascii.slice(0, MAX_WARNING_LENGTH - 3)}...` : ascii;
}
