import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { mapTransportError } from './map-transport-error.js';

export interface SseOptions {
  /** Lines that are not SSE fields (Gemini writes some errors as bare JSON). */
  onStray?(line: string): void;
}

/**
 * An upstream's server-sent events, one batch per network read so a caller can answer a read with
 * one write. The last event is delivered even without its closing blank line; a failure to read
 * the body becomes our transport error. The one SSE reader every provider stream uses.
 */
export async function* sseEvents(body: AsyncIterable<Uint8Array>, provider: string, options: SseOptions = {}): AsyncGenerator<EventSourceMessage[]> {
  let events: EventSourceMessage[] = [];
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onError: (error) => {
      if (error.type === 'unknown-field') options.onStray?.(error.line ?? '');
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      const out = events;
      events = [];
      yield out;
    }
  } catch (error) {
    throw mapTransportError(provider, error);
  }
  // A last event may lack its blank line (some providers end so): a clean end of the body completes it.
  parser.feed(`${decoder.decode()}\n\n`);
  if (events.length > 0) yield events;
}
