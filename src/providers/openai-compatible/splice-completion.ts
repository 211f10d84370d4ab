import type { Usage } from '../../core/chat.js';
import { jsonStringEnd } from '../shared/json-string.js';
import { plainDigits } from './plain-created.js';

/** A chat completion's JSON text under our id and the public model, with what the ledger needs from it. */
export interface SplicedCompletion {
  json: string;
  /** The upstream's own id, when it gave one as a string. */
  upstreamId: string | undefined;
  /** The top-level `usage` object, parsed; undefined when absent or null. */
  usage: Usage | undefined;
}

const QUOTE = 34;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/**
 * Relays a non-streamed OpenAI chat completion the way the stream relay relays chunks: the text
 * stays as the upstream wrote it except that the top-level `id` becomes ours and `model` the
 * public name; only the top-level `usage` object is parsed. One pass over the text that jumps
 * from quote to quote with `indexOf`, so the answer's content is never copied into objects.
 *
 * Undefined when the text is not one JSON object whose members it can walk, or has no top-level
 * `choices` array, or an `id` or `model` that is not a plain string, or a `created` that is not plain digits: the caller parses it then, and
 * says why it is malformed.
 */
export function spliceCompletion(text: string, id: string, publicModel: string): SplicedCompletion | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  let idStart = -1;
  let idEnd = -1;
  let modelStart = -1;
  let modelEnd = -1;
  let usageStart = -1;
  let usageEnd = -1;
  let choices = false;
  if (text.charCodeAt(i) === CLOSE_BRACE) return undefined;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const key = keyEnd - i === 3 || keyEnd - i === 6 || keyEnd - i === 8 ? text.slice(i + 1, keyEnd) : '';
    i = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    const first = text.charCodeAt(start);
    if (key === 'id' || key === 'model') {
      // A non-string (or escaped) id or model takes the parsing path, which handles any shape.
      if (first !== QUOTE) return undefined;
      const slash = text.indexOf('\\', start);
      if (slash >= 0 && slash < end) return undefined;
      if (key === 'id') [idStart, idEnd] = [start, end];
      else [modelStart, modelEnd] = [start, end];
    } else if (key === 'usage' && first === OPEN_BRACE) {
      [usageStart, usageEnd] = [start, end];
    } else if (key === 'choices') {
      choices = first === OPEN_BRACKET;
    } else if (key === 'created' && !plainDigits(text, start, end)) {
      // A created that is no time in seconds (a string, 1e308, -5) takes the parsing path, which replaces it.
      return undefined;
    }
    i = skipSpace(text, end);
    const next = text.charCodeAt(i);
    if (next === COMMA) {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (next !== CLOSE_BRACE || skipSpace(text, i + 1) !== text.length) return undefined;
    break;
  }
  if (!choices || modelStart < 0) return undefined;
  let usage: Usage | undefined;
  if (usageStart >= 0) {
    try {
      usage = JSON.parse(text.slice(usageStart, usageEnd)) as Usage;
    } catch {
      return undefined;
    }
  }
  const ourId = JSON.stringify(id);
  const ourModel = JSON.stringify(publicModel);
  let json: string;
  if (idStart < 0) {
    // No id: ours goes first, where OpenAI puts it.
    const open = text.indexOf('{');
    json = `{"id":${ourId},${text.slice(open + 1, modelStart)}${ourModel}${text.slice(modelEnd)}`;
  } else if (idStart < modelStart) {
    json = text.slice(0, idStart) + ourId + text.slice(idEnd, modelStart) + ourModel + text.slice(modelEnd);
  } else {
    json = text.slice(0, modelStart) + ourModel + text.slice(modelEnd, idStart) + ourId + text.slice(idEnd);
  }
  return { json, upstreamId: idStart < 0 ? undefined : text.slice(idStart + 1, idEnd - 1), usage };
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index of the quote that closes the string opened at `open`; -1 if it never closes. */
const stringEnd = (text: string, open: number): number => jsonStringEnd(text, open + 1);

/** The index just past the JSON value that starts at `start`; -1 if it is cut short or unbalanced. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const end = stringEnd(text, start);
    return end < 0 ? -1 : end + 1;
  }
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = stringEnd(text, i);
        if (i < 0) return -1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === 32 || c === 10 || c === 13 || c === 9) break;
  }
  return i > start ? i : -1;
}
