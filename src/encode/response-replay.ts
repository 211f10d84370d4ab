import type { ResponseObject } from './response-object.js';

type Item = Record<string, unknown>;
type Event = Record<string, unknown> & { type: string };

/** The events one finished output item is streamed as: added, its content whole in one delta each, done. */
function itemEvents(item: Item, outputIndex: number): Event[] {
  const at = { item_id: item.id, output_index: outputIndex };
  const events: Event[] = [];
  if (item.type === 'message' && Array.isArray(item.content)) {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
    (item.content as Item[]).forEach((part, contentIndex) => {
      const text = typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : '';
      const refusal = part.type === 'refusal';
      events.push({ type: 'response.content_part.added', ...at, content_index: contentIndex, part: refusal ? { type: 'refusal', refusal: '' } : { ...part, text: '' } });
      if (refusal) {
        events.push({ type: 'response.refusal.delta', ...at, content_index: contentIndex, delta: text });
        events.push({ type: 'response.refusal.done', ...at, content_index: contentIndex, refusal: text });
      } else {
        events.push({ type: 'response.output_text.delta', ...at, content_index: contentIndex, delta: text, logprobs: [] });
        events.push({ type: 'response.output_text.done', ...at, content_index: contentIndex, text, logprobs: [] });
      }
      events.push({ type: 'response.content_part.done', ...at, content_index: contentIndex, part });
    });
  } else if (item.type === 'function_call') {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
    events.push({ type: 'response.function_call_arguments.delta', ...at, delta: item.arguments });
    events.push({ type: 'response.function_call_arguments.done', ...at, name: item.name, arguments: item.arguments });
  } else {
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item });
  }
  events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  return events;
}

const FINAL_EVENT: Record<string, string> = { completed: 'response.completed', incomplete: 'response.incomplete', failed: 'response.failed', cancelled: 'response.cancelled' };

/**
 * A stored Response as the stream that would have written it (`GET /v1/responses/{id}?stream=true`):
 * created and in progress with no output, each output item whole, then the final event; numbered
 * from 0, and only those after `startingAfter` written.
 */
export function replayResponseEvents(response: ResponseObject, startingAfter = -1): string {
  const opening = { ...response, status: 'in_progress', output: [], usage: undefined, incomplete_details: null, error: null };
  const events: Event[] = [
    { type: 'response.created', response: opening },
    { type: 'response.in_progress', response: opening },
    ...response.output.flatMap((item, i) => itemEvents(item, i)),
    { type: FINAL_EVENT[response.status] ?? 'response.completed', response },
  ];
  let out = '';
  events.forEach((event, sequence) => {
    if (sequence > startingAfter) out += `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`;
  });
  return out;
}
