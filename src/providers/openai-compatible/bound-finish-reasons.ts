import { boundedFinishReason } from '../../core/bounded-finish-reason.js';

/** A string finish reason in an OpenAI answer or chunk; a string value cannot hold an unescaped quote, so only keys match. */
const FINISH_REASON = /"finish_reason"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Whether an answer's or chunk's JSON text names a finish reason clients are not shown as it is (core/bounded-finish-reason.ts). */
export function hasUnboundedFinishReason(text: string): boolean {
  FINISH_REASON.lastIndex = 0;
  for (let match = FINISH_REASON.exec(text); match; match = FINISH_REASON.exec(text)) {
    if (boundedFinishReason(match[1]!) !== match[1]) return true;
  }
  return false;
}

/** The choices of a parsed answer or chunk with their string finish reasons bounded, in place. */
export function boundFinishReasons(choices: unknown): void {
  if (!Array.isArray(choices)) return;
  for (const choice of choices as Array<{ finish_reason?: unknown } | null>) {
    if (typeof choice?.finish_reason === 'string') choice.finish_reason = boundedFinishReason(choice.finish_reason);
  }
}
