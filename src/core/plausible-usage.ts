import type { Usage } from './chat.js';

/** More tokens than any one request reads or writes: a count above it is a broken upstream, not an answer. */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;

export const plausibleCount = (n: unknown, most = MAX_PLAUSIBLE_TOKENS): boolean => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= most);

/**
 * Whether an upstream's usage can be billed and shown: every count in it a whole number from 0 to
 * MAX_PLAUSIBLE_TOKENS (the total, up to twice that, and reasoning tokens too: clients read them
 * though the ledger does not). Usage that is not is treated as missing, and the gateway counts the request itself.
 */
export function plausibleUsage(usage: Usage): boolean {
  const details = usage.prompt_tokens_details;
  return (
    plausibleCount(usage.prompt_tokens) &&
    plausibleCount(usage.completion_tokens) &&
    plausibleCount(usage.total_tokens, 2 * MAX_PLAUSIBLE_TOKENS) &&
    plausibleCount(details?.cached_tokens) &&
    plausibleCount(details?.cache_creation_tokens) &&
    plausibleCount(usage.completion_tokens_details?.reasoning_tokens)
  );
}
