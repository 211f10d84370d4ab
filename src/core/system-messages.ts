import type { ChatMessage } from './chat.js';
import { ApiError } from './errors.js';

/**
 * One rule for system and developer messages on every provider. The ones before the first other
 * message are the system prompt (Anthropic's `system`, Gemini's `systemInstruction`, Cohere's
 * leading system messages). A later one stays where it is in the conversation: as a system
 * message where the provider takes those mid-conversation (Cohere, OpenAI), else as a user turn
 * whose text is wrapped in `<system>` tags, reported once as `moved_system_message`. Keeping its
 * place loses less than hoisting it to the top, which would make it precede the turns it follows.
 */
export function isSystemMessage(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/**
 * Refuses a system or developer message with anything but text (OpenAI's rule), the same way on
 * every provider: a 400 naming the part.
 */
export function requireSystemText(message: ChatMessage, index: number): void {
  if (!Array.isArray(message.content)) return;
  const j = message.content.findIndex((part) => part.type !== 'text');
  if (j < 0) return;
  const param = `messages[${index}].content[${j}]`;
  throw new ApiError('invalid_request', `System and developer messages can hold only text; ${param} is not text.`, { param });
}

/** How many messages open the conversation as its system prompt. */
export function systemPromptLength(messages: readonly ChatMessage[]): number {
  const first = messages.findIndex((message) => !isSystemMessage(message));
  return first < 0 ? messages.length : first;
}

/** A later system message's text, as the user turn that carries it says it. */
export function wrapSystemText(text: string): string {
  return `<system>\n${text}\n</system>`;
}

/** The warning (code moved_system_message) a provider gives, once, when it wrapped one. */
export function movedSystemMessage(provider: string): string {
  return `provider ${provider} takes a system prompt only before the first turn; later system messages were sent in place as user turns wrapped in <system> tags`;
}
