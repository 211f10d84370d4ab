import { boundedFinishReason } from '../../core/bounded-finish-reason.js';
import type { FinishReason } from '../../core/chat.js';

/** Reasons Gemini stops because a safety, recitation or blocklist filter fired. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/**
 * A Gemini `finishReason` in OpenAI's terms. Gemini has no tool-call reason (it says STOP after
 * function calls), so `hasToolCalls` decides; reasons OpenAI has no word for (OTHER, LANGUAGE,
 * MALFORMED_FUNCTION_CALL, ...) are kept, lower-cased, when they are short plain words (else `unknown`).
 */
export function mapGeminiFinishReason(reason: string, hasToolCalls: boolean): FinishReason {
  if (reason === 'STOP') return hasToolCalls ? 'tool_calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return boundedFinishReason(reason.toLowerCase());
}
