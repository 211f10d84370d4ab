/** The most digits a `created` time in seconds has (up to the year 33658). */
const MAX_DIGITS = 12;
const CREATED_KEY = '"created":';

/** Whether an upstream's `created` is a time in seconds clients can read: a whole number from 0, not a string, 1e308 or -5. */
export function isPlainCreated(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0 && String(value).length <= MAX_DIGITS;
}

/**
 * Whether the JSON text of a value, from `start` to `end`, is such a time: only digits. A string
 * value cannot hold an unescaped quote, so `"created":` found in a chunk is a key, never content.
 */
export function plainDigits(text: string, start: number, end: number): boolean {
  if (end <= start || end - start > MAX_DIGITS) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** How OpenAI and nearly every compatible upstream begin a chunk, up to its `created`, after the id. */
const ID_OPENING = '{"id":"';
const USUAL_AFTER_ID = '","object":"chat.completion.chunk","created":';

/**
 * Whether a chunk's `created`, where it has one, is a plain time in seconds (no chunk without one
 * is judged). Where the chunk begins as OpenAI's do it is found without a search.
 */
export function chunkCreatedIsPlain(chunk: string): boolean {
  let start = -1;
  if (chunk.startsWith(ID_OPENING)) {
    const idEnd = chunk.indexOf('"', ID_OPENING.length);
    if (idEnd > 0 && chunk.startsWith(USUAL_AFTER_ID, idEnd)) start = idEnd + USUAL_AFTER_ID.length;
  }
  if (start < 0) {
    const at = chunk.indexOf(CREATED_KEY);
    if (at < 0) return true;
    start = at + CREATED_KEY.length;
  }
  while (chunk.charCodeAt(start) === 32) start++;
  let end = start;
  while (end < chunk.length && end - start <= MAX_DIGITS) {
    const c = chunk.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  const next = chunk.charCodeAt(end);
  return end > start && end - start <= MAX_DIGITS && (next === 44 || next === 125 || next === 32 || next === 10 || next === 13);
}
