import type { ChatMessage, Usage } from '../core/chat.js';
import { makeUsage } from '../core/chat.js';

type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

/** Loaded on first use: the tokenizer's tables cost memory and start-up time most requests never need. */
function loadCounter(): Promise<Counter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => (text: string) => m.countTokens(text));
  return counter;
}

/** Tokens of plain text, e.g. embedding inputs an upstream did not count. */
export async function countTextTokens(text: string): Promise<number> {
  return (await loadCounter())(text);
}

function messageText(message: ChatMessage): string {
  let text = message.name ?? '';
  const content = message.content;
  if (typeof content === 'string') text += content;
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return text;
}

/**
 * Usage estimated with OpenAI's o200k tokenizer, for upstreams that report none: each message
 * costs its tokens plus 3 for its framing, and every answer is primed with 3 more, as OpenAI counts.
 */
export async function estimateUsage(messages: readonly ChatMessage[], completionText: string): Promise<Usage> {
  const count = await loadCounter();
  let prompt = 3;
  for (const message of messages) prompt += 3 + count(messageText(message));
  return makeUsage(prompt, completionText ? count(completionText) : 0);
}

/**
 * A quick upper-bound guess of a request's tokens before it is sent, for tokens-per-minute limits:
 * about four characters a token, plus the answer's limit. Reconciled with real usage afterwards.
 */
export function estimateRequestTokens(body: { messages: readonly ChatMessage[]; max_tokens?: number | null; max_completion_tokens?: number | null }): number {
  let chars = 0;
  for (const message of body.messages) chars += messageText(message).length + 12;
  return Math.ceil(chars / 4) + (body.max_completion_tokens ?? body.max_tokens ?? 0);
}
