import type { ApiError } from '../core/errors.js';
import type { RelayedResponseEvents } from '../core/responses-origin.js';
import type { ResponseSettled } from './response-events.js';
import type { ResponseObject } from './response-object.js';

/**
 * Writes a Responses stream relayed from a deployment that speaks the Responses API: its batches
 * are whole events already, written as they are. A stream that ends early gets an `error` event
 * numbered after the relayed ones; one whose upstream already sent its last event gets nothing more.
 */
export class ResponseRelayWriter {
  constructor(
    private readonly relayed: RelayedResponseEvents,
    private readonly settled: ResponseSettled | undefined,
  ) {}

  batch(events: readonly string[]): string {
    return events.length === 1 ? events[0] : events.join('');
  }

  end(): string {
    this.settle();
    return '';
  }

  fail(error: ApiError): string {
    this.settle();
    if (this.relayed.ended()) return '';
    const event = { type: 'error', code: error.code, message: error.message, param: error.param ?? null, sequence_number: this.relayed.relayed() };
    return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
  }

  private settle(): void {
    const response = this.relayed.finalResponse();
    if (response) this.settled?.(response as unknown as ResponseObject, JSON.stringify(response));
  }
}
