import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import { UpstreamError } from '../../core/errors.js';
import { mapTransportError } from './map-transport-error.js';

/**
 * What a provider adds to the shared stream loop: its reading of each event, and nothing of the
 * loop itself. One object per stream holds the reader's state, so no closure is made per event.
 * A reader fails by throwing (an UpstreamError in the provider's shape); the loop then delivers
 * the parts appended before the failure, stops reading, and throws it.
 */
export interface StreamEventReader<T> {
  /** One event's `data` and `event:` name; appends what it yields to `out`. */
  event(data: string, name: string | undefined, out: T[]): void;
  /** A line that is no SSE field (Gemini writes some errors as bare JSON); ignored without this. */
  strayLine?(line: string): void;
  /** Called after each network read's events, for what a reader completes across events. */
  readEnd?(out: T[]): void;
  /** The body ended cleanly: appends the final parts, or throws when the answer is incomplete. */
  end(out: T[]): void;
}

/** The longest event (or line) held while it arrives, in characters: as much as the largest body read whole. */
export const MAX_EVENT_CHARS = 64 * 1024 * 1024;

/**
 * An upstream's server-sent events read by `reader`, one batch per network read so a caller can
 * answer a read with one write; reads that yield nothing yield no batch. The last event counts
 * even without its closing blank line (some providers end so). A failure to read the body becomes
 * our transport error; a reader's failure ends the stream after the parts before it. Batches are
 * fresh arrays: consumers may keep them.
 */
export async function* readEventStream<T>(body: AsyncIterable<Uint8Array>, provider: string, reader: StreamEventReader<T>): AsyncGenerator<T[]> {
  let out: T[] = [];
  let failed = false;
  let failure: unknown;
  const parser = createParser({
    onEvent: (message) => {
      if (failed) return;
      try {
        reader.event(message.data, message.event, out);
      } catch (error) {
        failed = true;
        failure = error;
      }
    },
    onError: (error) => {
      if (failed) return;
      if (error.type === 'max-buffer-size-exceeded') {
        failed = true;
        failure = new UpstreamError('upstream_error', `provider ${provider} sent an event longer than ${MAX_EVENT_CHARS} characters`, { provider });
        return;
      }
      if (error.type !== 'unknown-field' || !reader.strayLine) return;
      try {
        reader.strayLine(error.line ?? '');
      } catch (cause) {
        failed = true;
        failure = cause;
      }
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });
  // Node's own UTF-8 decoder: about twice as fast per read as TextDecoder's streaming mode; a
  // character split across reads waits for its last bytes.
  const decoder = new StringDecoder('utf8');
  let first = true;
  try {
    for await (const chunk of body) {
      let text = decoder.write(chunk);
      if (first && text !== '') {
        first = false;
        // A byte order mark is no part of the stream; the parser would read it as part of a field name.
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      parser.feed(text);
      if (!failed && reader.readEnd) {
        try {
          reader.readEnd(out);
        } catch (error) {
          failed = true;
          failure = error;
        }
      }
      if (out.length > 0) {
        const batch = out;
        out = [];
        yield batch;
      }
      // Leaving the loop returns the body, which releases the upstream connection.
      if (failed) break;
    }
  } catch (error) {
    throw mapTransportError(provider, error);
  }
  if (!failed) {
    parser.feed(`${decoder.end()}\n\n`);
    try {
      if (!failed) reader.end(out);
    } catch (error) {
      failed = true;
      failure = error;
    }
  }
  if (out.length > 0) yield out;
  if (failed) throw failure;
}
