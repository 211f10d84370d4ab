import type { Usage } from '../../core/chat.js';
import type { AnthropicUsage } from './anthropic-api.js';

/**
 * Anthropic's usage in OpenAI's terms. Anthropic's `input_tokens` leaves out the tokens read
 * from and written to the prompt cache; OpenAI's `prompt_tokens` counts every prompt token, with
 * the cache hits repeated in `cached_tokens`.
 */
export function convertAnthropicUsage(usage: AnthropicUsage): Usage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  // Cache writes only when there are some, so answers without them keep OpenAI's usage shape.
  const details = written > 0 ? { cached_tokens: cached, cache_creation_tokens: written } : { cached_tokens: cached };
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: details };
}
