import type { Usage } from '../../core/chat.js';
import type { CohereUsage } from './cohere-api.js';

/**
 * Cohere's usage in OpenAI's shape. Billed units come first: they are what Cohere charges for,
 * while `tokens` also counts Cohere's own prompt template. `cached_tokens` counts cache hits over
 * that whole prompt; the template leads the prompt and the cache is a prefix cache, so the hits
 * that fall on billed tokens are those left after the unbilled template tokens.
 */
export function convertCohereUsage(usage: CohereUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const processedInput = usage.tokens?.input_tokens;
  const prompt = usage.billed_units?.input_tokens ?? processedInput;
  const completion = usage.billed_units?.output_tokens ?? usage.tokens?.output_tokens;
  if (prompt === undefined && completion === undefined) return undefined;
  const out: Usage = { prompt_tokens: prompt ?? 0, completion_tokens: completion ?? 0, total_tokens: (prompt ?? 0) + (completion ?? 0) };
  if (usage.cached_tokens !== undefined) {
    const unbilled = Math.max(0, (processedInput ?? out.prompt_tokens) - out.prompt_tokens);
    out.prompt_tokens_details = { cached_tokens: Math.min(out.prompt_tokens, Math.max(0, usage.cached_tokens - unbilled)) };
  }
  return out;
}
