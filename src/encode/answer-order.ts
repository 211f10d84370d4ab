import type { ChatCompletion } from '../core/chat.js';

/**
 * The order in which a collected answer's blocks came: a chat completion keeps text, tool calls and
 * thinking blocks in separate fields, but Anthropic's interleaved thinking answers
 * [thinking, text, thinking, tool_use], and a Messages client must get that order back. A symbol key,
 * so the OpenAI answer (JSON) never carries it.
 */
export const ANSWER_ORDER: unique symbol = Symbol('opensq.answerOrder');

/** A thinking block by its index in `thinking_blocks`, a text by its range in `content`, a tool call by its index in `tool_calls`. */
export type AnswerBlock = { type: 'thinking'; block: number } | { type: 'text'; start: number; end: number } | { type: 'tool_use'; call: number };

type Message = ChatCompletion['choices'][number]['message'];

/** Not enumerable: copies and comparisons of the message see only its wire fields. */
export function setAnswerOrder(message: Message, order: AnswerBlock[]): void {
  Object.defineProperty(message, ANSWER_ORDER, { value: order, enumerable: false });
}

/** The order a collector recorded; undefined for an answer that came whole (a relayed one), whose fields give no order. */
export function answerOrder(message: Message | undefined): readonly AnswerBlock[] | undefined {
  return (message as (Message & { [ANSWER_ORDER]?: AnswerBlock[] }) | undefined)?.[ANSWER_ORDER];
}
