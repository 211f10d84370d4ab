/** Characters that make a JSON string's text differ from its value (or make it no string at all). */
const NOT_PLAIN = /["\\\u0000-\u001f]/;

/**
 * The position of the quote that closes a JSON string whose text starts at `from` (just after its
 * opening quote), or -1. Quotes escaped by an odd number of backslashes are inside the string.
 */
export function jsonStringEnd(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  while (quote > from && text.charCodeAt(quote - 1) === 92) {
    let slashes = 1;
    while (quote - 1 - slashes >= from && text.charCodeAt(quote - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 0) break;
    quote = text.indexOf('"', quote + 1);
  }
  return quote;
}

/**
 * The value of the JSON string text between `start` and `end` (its quotes excluded): the text itself
 * when it has no escapes (no parse), else JSON's reading of it; undefined when it is not exactly one
 * valid JSON string, so a fast path can leave the event to the general one.
 */
export function jsonStringValue(text: string, start: number, end: number): string | undefined {
  const raw = text.slice(start, end);
  if (!NOT_PLAIN.test(raw)) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/** The value of a JSON string's text between its quotes, or the text as it is when it does not parse. */
export function jsonStringText(escaped: string): string {
  return jsonStringValue(escaped, 0, escaped.length) ?? escaped;
}
