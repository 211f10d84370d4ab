/**
 * How deep JSON may nest in a request body. Real requests stay far below (a conversation with tool
 * schemas is about 15 levels); thousands of levels overflow the stack of whatever serialises the
 * value again (the upstream request, the request log).
 */
export const MAX_JSON_DEPTH = 128;

/** Whether a JSON text nests arrays and objects deeper than `max`, by one pass over its characters. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
