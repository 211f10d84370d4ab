/**
 * Warnings reach clients in the `x-opensq-warnings` header and operators in the log, so they are
 * built from the gateway's own words plus names that cannot carry anything else: a client-chosen
 * name (a body key, a voice, a tool type) is shown only when it is a plain identifier.
 */
/**
 * The stable codes a warning carries, each with what it means. A code names what was lost, so a
 * client can act on it without reading the prose; the README lists the same codes.
 */
export const WARNINGS = {
  dropped_parameter: 'a parameter that changes the answer has no counterpart at the provider and was not sent',
  adjusted_parameter: "a value was moved into the provider's range or replaced by a default the provider needs",
  unenforced_parameter: 'a parameter was sent as an instruction but the provider does not guarantee it (strict schemas, JSON mode)',
  schema_keyword_dropped: 'a JSON Schema constraint the provider cannot express was left out of a tool or response schema',
  dropped_content: 'a content part or attribute of a message the provider cannot take was left out',
  moved_system_message: 'a system or developer message after the first turn was sent as a user turn',
  answer_limited: "the answer limit was lowered to what the key's credit affords",
  tool_calls_limited: "the calls to the provider's built-in tools were limited (max_tool_calls) to what the key's credit affords",
} as const;

export type WarningCode = keyof typeof WARNINGS;

/** How providers report what they could not honour: a stable code and the gateway's own words. */
export type Warn = (code: WarningCode, message: string) => void;

/**
 * Request fields that ask nothing of the answer (end-user ids, OpenAI's own storage and caching
 * hints): a provider without them drops them without a warning.
 */
export const NO_ANSWER_EFFECT: ReadonlySet<string> = new Set(['user', 'safety_identifier', 'store', 'metadata', 'prompt_cache_key', 'prompt_cache_retention', 'service_tier']);

/**
 * Where a request read from another API's shape (the Messages API) keeps what was lost in the
 * reading, for serveChat to report with the provider's warnings. A symbol, so no upstream JSON carries it.
 */
export const READ_WARNINGS: unique symbol = Symbol('opensq.readWarnings');

/** A warning collected by a pure converter, for the adapter to pass to `warn`. */
export interface Warning {
  code: WarningCode;
  message: string;
}

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

/** A warning as the header and the log show it: its code, then its message. */
export function formatWarning(code: WarningCode, message: string): string {
  return headerSafe(`${code}: ${message}`);
}

/** Printable ASCII only (a header value cannot hold more), cut to MAX_WARNING_LENGTH. */
export function headerSafe(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]+/g, '?');
  return ascii.length > MAX_WARNING_LENGTH ? `${ascii.slice(0, MAX_WARNING_LENGTH - 3)}...` : ascii;
}
