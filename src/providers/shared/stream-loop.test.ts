import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../core/errors.js';
import { MAX_EVENT_CHARS, type StreamEventReader, readEventStream } from './stream-loop.js';

/** A body of the given reads; `closed` tells whether the loop gave the body back (its `finally` ran). */
function body(reads: Array<string | Uint8Array | Error>): AsyncIterable<Uint8Array> & { closed: boolean; taken: number } {
  const out = {
    closed: false,
    taken: 0,
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      try {
        for (const read of reads) {
          out.taken++;
          if (read instanceof Error) throw read;
          yield typeof read === 'string' ? Buffer.from(read) : read;
        }
      } finally {
        out.closed = true;
      }
    },
  };
  return out;
}

/** Records what the loop hands it: each event as `name:data`, stray lines, read ends and the end. */
class Recorder implements StreamEventReader<string> {
  readonly calls: string[] = [];
  constructor(private readonly failOn?: string, private readonly failAtEnd = false) {}
  event(data: string, name: string | undefined, out: string[]): void {
    if (data === this.failOn) throw new UpstreamError('upstream_error', `bad ${data}`, { provider: 'p' });
    this.calls.push(`event ${name ?? ''}:${data}`);
    out.push(data);
  }
  readEnd(): void {
    this.calls.push('read');
  }
  end(out: string[]): void {
    this.calls.push('end');
    if (this.failAtEnd) throw new UpstreamError('upstream_error', 'unfinished', { provider: 'p' });
    out.push('final');
  }
}

async function drain<T>(stream: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of stream) out.push(batch);
  return out;
}

describe('readEventStream (the one stream loop every provider reader runs in)', () => {
  it('one batch per read with the parts of that read; reads without parts yield nothing; what the end adds is a last batch', async () => {
    const reader = new Recorder();
    const batches = await drain(readEventStream(body(['data: a\n\ndata: b\n\n', ': comment\n\n', 'event: x\ndata: c\n\n']), 'p', reader));
    assert.deepEqual(batches, [['a', 'b'], ['c'], ['final']]);
    assert.deepEqual(reader.calls, ['event :a', 'event :b', 'read', 'read', 'event x:c', 'read', 'end']);
  });

  it('an event split across reads, CRLF framing, and a last event without its blank line', async () => {
    const reader = new Recorder();
    const batches = await drain(readEventStream(body(['da', 'ta: o', 'ne\r\n', '\r\ndata: two']), 'p', reader));
    assert.deepEqual(batches, [['one'], ['two', 'final']]);
  });

  it('a character split across reads is decoded whole; a leading byte order mark is dropped', async () => {
    const euro = Buffer.from('data: 5€\n\n');
    const cut = euro.indexOf(0xe2) + 1;
    const reads = [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), euro.subarray(0, cut)]), euro.subarray(cut)];
    assert.deepEqual((await drain(readEventStream(body(reads), 'p', new Recorder()))).flat(), ['5€', 'final']);
  });

  it("a reader's failure ends the stream after the parts before it: later events are not read and the body is given back", async () => {
    const reader = new Recorder('bad');
    const source = body(['data: a\n\ndata: bad\n\ndata: after\n\n', 'data: never\n\n']);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of readEventStream(source, 'p', reader)) seen.push(...batch);
    }, /bad bad/);
    assert.deepEqual(seen, ['a']);
    assert.deepEqual(reader.calls, ['event :a']);
    assert.equal(source.taken, 1, 'the read after the failure is not taken');
    assert.ok(source.closed);
  });

  it("a failure at the end comes after the last parts; end is not called after a failure", async () => {
    const reader = new Recorder(undefined, true);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of readEventStream(body(['data: a\n\ndata: b']), 'p', reader)) seen.push(...batch);
    }, /unfinished/);
    assert.deepEqual(seen, ['a', 'b']);
    const failing = new Recorder('a');
    await assert.rejects(drain(readEventStream(body(['data: a\n\n']), 'p', failing)), /bad a/);
    assert.ok(!failing.calls.includes('end'));
  });

  it('a failed read is our transport error, after the parts read before it', async () => {
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const batch of readEventStream(body(['data: a\n\n', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })]), 'prov', new Recorder())) seen.push(...batch);
      },
      (e: unknown) => e instanceof UpstreamError && e.code === 'upstream_error' && e.status === 502 && /provider prov failed: other side closed/.test(e.message),
    );
    assert.deepEqual(seen, ['a']);
  });

  it('a consumer that stops early gives the body back', async () => {
    const source = body(['data: a\n\n', 'data: b\n\n', 'data: c\n\n']);
    for await (const batch of readEventStream(source, 'p', new Recorder())) if (batch[0] === 'a') break;
    assert.ok(source.closed);
    assert.equal(source.taken, 1);
  });

  it('lines that are no SSE field go to strayLine when the reader has one, and are ignored otherwise', async () => {
    const lines: string[] = [];
    const reader = Object.assign(new Recorder(), { strayLine: (line: string) => lines.push(line) });
    await drain(readEventStream(body(['{"error": {\n  "code": 500\n}\ndata: a\n\n']), 'p', reader));
    assert.deepEqual(lines, ['{"error": {', '  "code": 500', '}']);
    assert.deepEqual((await drain(readEventStream(body(['{"x": 1}\ndata: a\n\n']), 'p', new Recorder()))).flat(), ['a', 'final']);
  });

  it('batches are fresh arrays a consumer may keep', async () => {
    const batches = await drain(readEventStream(body(['data: a\n\n', 'data: b\n\n']), 'p', new Recorder()));
    assert.notEqual(batches[0], batches[1]);
    assert.deepEqual(batches, [['a'], ['b'], ['final']]);
  });

  it('an event that grows past the limit while it arrives is an error, and the rest is not read', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'x');
    const reads = [Buffer.from('data: a\n\ndata: '), ...Array.from({ length: MAX_EVENT_CHARS / mib.length + 1 }, () => mib), Buffer.from('\n\n')];
    const source = body(reads);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of readEventStream(source, 'p', new Recorder())) seen.push(...batch);
    }, (e: unknown) => e instanceof UpstreamError && e.status === 502 && /provider p sent an event longer than/.test(e.message));
    assert.deepEqual(seen, ['a']);
    assert.ok(source.taken < reads.length);
  });
});
