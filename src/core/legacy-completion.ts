import type { ChatRequest } from './chat.js';

/** A legacy completions request (`POST /v1/completions`) as the client sent it, prompt included. */
export type LegacyCompletionBody = Record<string, unknown> & { prompt: string };

const legacyBodies = new WeakMap<ChatRequest, LegacyCompletionBody>();

/**
 * Marks a chat request as carrying a legacy completions request: OpenAI-compatible deployments send
 * the legacy body to their own `/completions`; the local model answers its prompt as a user message.
 */
export function markLegacyCompletion(chat: ChatRequest, body: LegacyCompletionBody): void {
  legacyBodies.set(chat, body);
}

/** The legacy completions request a chat request carries, if it is one. */
export function legacyCompletion(chat: ChatRequest): LegacyCompletionBody | undefined {
  return legacyBodies.get(chat);
}
