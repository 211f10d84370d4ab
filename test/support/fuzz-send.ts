import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { FuzzCase } from './fuzz-cases.js';

/** What came back for one fuzz request. */
export interface FuzzOutcome {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** The body's first bytes as UTF-8 (enough to check an error's shape and a stream's end). */
  text: string;
  /** The client left on purpose (the case's `abort`), before or while the answer came. */
  aborted: boolean;
  /** No complete answer within the timeout. */
  hung: boolean;
  /** The connection failed without the client leaving. */
  error: string | undefined;
  ms: number;
}

/** Bodies are kept up to this many bytes for the checks; the rest is read and dropped. */
const KEEP_BYTES = 256 * 1024;
/** The tail of a long body is kept too, so a stream's end can be checked. */
const KEEP_TAIL = 4096;

/** The client's own socket pool, so the run's connections never mix with the test's other calls. */
export function fuzzAgent(connections: number): Agent {
  return new Agent({ connections, keepAliveTimeout: 10_000, bodyTimeout: 0, headersTimeout: 0 });
}

/** A body sent chunked, in pieces of `size` bytes. */
async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

/** Sends one case and reads its answer, leaving early when the case says so; never throws. */
export async function sendCase(base: string, c: FuzzCase, agent: Agent, timeoutMs: number): Promise<FuzzOutcome> {
  const started = performance.now();
  const controller = new AbortController();
  let hung = false;
  let leftOnPurpose = false;
  const timer = setTimeout(() => {
    hung = true;
    controller.abort(new Error(`no answer in ${timeoutMs} ms`));
  }, timeoutMs);
  const leave = (): void => {
    leftOnPurpose = true;
    controller.abort(new Error('the client left'));
  };
  const early = c.abort && 'afterMs' in c.abort ? setTimeout(leave, c.abort.afterMs) : undefined;
  const outcome: FuzzOutcome = { status: undefined, headers: {}, text: '', aborted: false, hung: false, error: undefined, ms: 0 };
  try {
    const res = await request(`${base}${c.path}`, { method: c.method, headers: c.headers, body: c.chunkSize && c.body ? Readable.from(pieces(c.body, c.chunkSize)) : c.body, signal: controller.signal, dispatcher: agent });
    outcome.status = res.statusCode;
    outcome.headers = res.headers;
    const head: Buffer[] = [];
    let kept = 0;
    let tail = Buffer.alloc(0);
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (kept < KEEP_BYTES) {
        head.push(chunk);
        kept += chunk.length;
      } else tail = Buffer.concat([tail, chunk]).subarray(-KEEP_TAIL);
      if (c.abort && 'afterFirstChunk' in c.abort) {
        leave();
        break;
      }
    }
    outcome.text = Buffer.concat(head).toString('utf8') + (tail.length ? `\n…\n${tail.toString('utf8')}` : '');
  } catch (error) {
    if (!leftOnPurpose && !hung) outcome.error = `${(error as Error).name}: ${(error as Error).message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}`;
  } finally {
    clearTimeout(timer);
    clearTimeout(early);
  }
  outcome.aborted = leftOnPurpose;
  outcome.hung = hung;
  outcome.ms = performance.now() - started;
  return outcome;
}
