/** The longest Retry-After passed on to a client: a day. */
const MAX_SECONDS = 86_400;
/** RFC 9110's preferred date form, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * An upstream's `Retry-After` as whole seconds in digits only, fit for our own header: delta-seconds
 * (fractions rounded up) or an HTTP date, at most a day; undefined when absent or unreadable.
 */
export function sanitizeRetryAfter(header: string | undefined, now = Date.now()): string | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  let seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (Number.isNaN(seconds)) {
    const date = HTTP_DATE.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
    if (Number.isNaN(date)) return undefined;
    seconds = Math.max(0, (date - now) / 1000);
  }
  return String(Math.min(MAX_SECONDS, Math.ceil(seconds)));
}
