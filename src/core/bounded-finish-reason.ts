import type { FinishReason } from './chat.js';

/** A finish reason a provider may name that the gateway has no word for: a short plain word. */
const PLAIN_WORD = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * A provider's finish reason the gateway does not know, as clients are shown it: kept raw when it
 * is a short plain word (a new reason reaches clients and logs instead of being guessed at), else
 * `unknown` — an upstream's reason of any length, with line breaks or markup, is not passed on.
 */
export function boundedFinishReason(reason: string): FinishReason {
  return typeof reason === 'string' && PLAIN_WORD.test(reason) ? reason : 'unknown';
}
