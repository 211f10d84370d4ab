import { setImmediate as nextTurn } from 'node:timers/promises';

/** Characters tokenized between turns of the event loop: about two milliseconds of llama.cpp's tokenizer. */
const SLICE_CHARS = 4096;
/** A token is at least one byte of UTF-8, and a UTF-16 code unit at most three. */
const MAX_TOKENS_PER_CHAR = 3;

export interface TokenLimit {
  /** llama.cpp's tokenizer, which runs synchronously on the calling thread: the number of tokens of a text. */
  tokenize: (text: string) => number;
  texts: readonly string[];
  limit: number;
}

/**
 * Whether `texts` hold more than `limit` tokens: undefined when they do not, else the count at the
 * point it passed `limit`. Texts too short to pass it are not tokenized; longer ones are counted in
 * slices cut at spaces, the event loop given a turn between slices, and counting stops at the limit,
 * so a prompt of megabytes costs the work of `limit` tokens, never seconds of a blocked server. A
 * word cut at a slice's edge may count one token more than it would whole.
 */
export async function countTokensPast({ tokenize, texts, limit }: TokenLimit): Promise<number | undefined> {
  let chars = 0;
  for (const text of texts) chars += text.length;
  if (chars * MAX_TOKENS_PER_CHAR <= limit) return undefined;
  let count = 0;
  let sinceTurn = 0;
  for (const text of texts) {
    for (let start = 0; start < text.length; ) {
      const end = sliceEnd(text, start);
      count += tokenize(text.slice(start, end));
      if (count > limit) return count;
      sinceTurn += end - start;
      if (sinceTurn >= SLICE_CHARS) {
        sinceTurn = 0;
        await nextTurn();
      }
      start = end;
    }
  }
  return undefined;
}

/** Where the slice from `start` ends: before its last space, and never inside a surrogate pair. */
function sliceEnd(text: string, start: number): number {
  let end = start + SLICE_CHARS;
  if (end >= text.length) return text.length;
  const space = text.lastIndexOf(' ', end);
  if (space > start) return space;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return end;
}
