import type { FuzzCase } from './fuzz-cases.js';
import type { FuzzOutcome } from './fuzz-send.js';

const PRINTABLE = /^[\x20-\x7e]*$/;
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

function isErrorShape(shape: FuzzCase['errorShape'], json: any): boolean {
  if (shape === 'cloud') return json?.ok === false && typeof json.error === 'string' && Object.keys(json).length === 2;
  const e = json?.error;
  return (
    Object.keys(json ?? {}).length === 1 &&
    typeof e?.message === 'string' &&
    typeof e.type === 'string' &&
    (e.param === null || typeof e.param === 'string') &&
    (e.code === null || typeof e.code === 'string') &&
    ['message', 'type', 'param', 'code'].every((k) => k in e)
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `data:` lines of an SSE body. */
function dataLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
}

/**
 * What is wrong with one answer, as short sentences (none when it is fine): an answer within the
 * timeout, no 5xx the case did not ask for, printable ASCII headers and no injected ones, errors in
 * the route's documented shape, an unknown key never served, complete streams.
 */
export function problemsOf(c: FuzzCase, o: FuzzOutcome): string[] {
  const problems: string[] = [];
  if (o.hung) problems.push(`no complete answer within the timeout (status ${o.status ?? 'none'})`);
  if (o.error) problems.push(`the connection failed without an answer: ${o.error}`);
  if (o.status === undefined) return problems;
  const json = parse(o.text) as any;
  if (o.status >= 500) {
    const allowed = c.allowed5xx.some((a) => a.status === o.status && json?.error?.code === a.code);
    if (!allowed) problems.push(`status ${o.status}${json?.error?.code ? ` (${json.error.code})` : ''}`);
  }
  for (const [name, value] of Object.entries(o.headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) {
      const rule = name === 'content-disposition' && c.rawDisposition ? NO_CONTROL : PRINTABLE;
      if (!rule.test(v)) problems.push(`header ${name} is not printable ASCII: ${JSON.stringify(v.slice(0, 80))}`);
    }
    if (name.startsWith('x-injected')) problems.push(`an injected header ${name} reached the answer`);
  }
  if (o.status >= 400 && !o.aborted && !o.hung && c.method !== 'HEAD') {
    if (!isErrorShape(c.errorShape, json)) problems.push(`a ${o.status} whose body is not the ${c.errorShape} error shape: ${JSON.stringify(o.text.slice(0, 200))}`);
    else if (!String(o.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`a ${o.status} error with content-type ${String(o.headers['content-type'])}`);
  }
  if (c.key === 'unknown' && !c.keyless && o.status < 400) problems.push(`an unknown key was served: ${o.status}`);
  if (o.status === 200 && c.stream && !o.aborted && !o.hung && String(o.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const lines = dataLines(o.text);
    if (lines.at(-1) !== '[DONE]') problems.push(`a stream that does not end with [DONE]: ${JSON.stringify(o.text.slice(-200))}`);
    const error = lines.map((l) => parse(l) as any).find((event) => event?.error);
    if (error && (error.error.type === 'server_error' || error.error.code === 'internal_error')) problems.push(`a stream that ends in a server error: ${JSON.stringify(error).slice(0, 200)}`);
  }
  return problems;
}

/** The kind of stream ending, for the report: ok, an error event (and its code), or not a stream. */
export function streamEnding(c: FuzzCase, o: FuzzOutcome): string | undefined {
  if (!c.stream || o.status !== 200 || o.aborted || o.hung) return undefined;
  const error = dataLines(o.text).map((l) => parse(l) as any).find((event) => event?.error);
  return error ? `error event ${error.error.code ?? error.error.type}` : 'complete';
}
