import { boundedFinishReason } from '../../core/bounded-finish-reason.js';
import type { FinishReason, StreamPart } from '../../core/chat.js';

/**
 * Cohere's finish reasons in OpenAI's terms. `ERROR` becomes OnlySq's own `error` ("the
 * generation failed due to an internal error"), which says the answer is broken where `stop`
 * would present it as complete. `ERROR_TOXIC` (a safety block) is `content_filter` and
 * `ERROR_LIMIT` (the context is full) is `length`. Anything else, such as `TIMEOUT`, is kept
 * in lower case when it is a short plain word (else `unknown`).
 */
export function mapCohereFinishReason(reason: string | undefined | null): FinishReason {
  switch (reason) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
    case undefined:
    case null:
      return 'stop';
    case 'MAX_TOKENS':
    case 'ERROR_LIMIT':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    case 'ERROR':
      return 'error';
    case 'ERROR_TOXIC':
      return 'content_filter';
    default:
      return boundedFinishReason(reason.toLowerCase());
  }
}

/**
 * The finish part of a Cohere answer. Cohere says a stop sequence ended the answer
 * (`STOP_SEQUENCE`) but not which one, and cuts it from the text; with a single sequence asked for,
 * that one is known and rides on the part (Anthropic's `stop_sequence`), with more it stays unknown.
 */
export function cohereFinishPart(reason: string | undefined | null, stopSequences: readonly string[] | undefined): StreamPart {
  const finish = mapCohereFinishReason(reason);
  return reason === 'STOP_SEQUENCE' && stopSequences?.length === 1 ? { type: 'finish', reason: finish, stopSequence: stopSequences[0] } : { type: 'finish', reason: finish };
}
