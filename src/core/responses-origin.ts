/**
 * A Responses API request as its client sent it, carried beside the core chat request so a
 * deployment that speaks the Responses API itself (OpenAI's own) is sent the client's request
 * instead of a translation: built-in tools and encrypted reasoning kept. A symbol, so no other
 * provider's JSON carries it; a declared property, so ChatRequest's type need not know it.
 */
export const RESPONSES_ORIGIN: unique symbol = Symbol('opensq.responsesOrigin');

export interface ResponsesOrigin {
  /** The client's body as validated, without `input`, `previous_response_id` and `stream`. */
  body: Record<string, unknown>;
  /** The whole conversation to send: the earlier turns (from `previous_response_id`) and this input, references resolved. */
  input: Array<Record<string, unknown>>;
  /** Fields of the answer the gateway owns (`previous_response_id`, `store`), set over the upstream's. */
  own: Record<string, unknown>;
}

export interface WithResponsesOrigin {
  [RESPONSES_ORIGIN]?: ResponsesOrigin;
}

/**
 * A Responses answer relayed from such a deployment, carried on the chat completion that stands
 * for it (whose choices are empty): the Response object with the gateway's id and model.
 */
export const RESPONSES_ANSWER: unique symbol = Symbol('opensq.responsesAnswer');

export interface WithResponsesAnswer {
  [RESPONSES_ANSWER]?: Record<string, unknown> & { id: string; output: Array<Record<string, unknown>> };
}

/** A streamed Responses answer relayed from such a deployment: its batches are whole SSE events, to be written as they are. */
export const RESPONSES_EVENTS: unique symbol = Symbol('opensq.responsesEvents');

export interface RelayedResponseEvents {
  /** The final Response (from `response.completed`, `.incomplete` or `.failed`), once relayed. */
  finalResponse(): (Record<string, unknown> & { id: string; output: Array<Record<string, unknown>> }) | undefined;
  /** The number of events relayed: the next event's `sequence_number`. */
  relayed(): number;
  /** Whether the stream's last event (a terminal Response event or an `error`) has been relayed. */
  ended(): boolean;
}

export interface WithResponsesEvents {
  [RESPONSES_EVENTS]?: RelayedResponseEvents;
}
