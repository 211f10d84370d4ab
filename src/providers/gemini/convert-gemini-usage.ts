import type { Usage } from '../../core/chat.js';
import type { GeminiUsageMetadata } from './gemini-api.js';

/**
 * Gemini's `usageMetadata` in OpenAI's terms. Prompt tokens include the tool-use prompt (search
 * results and the like, billed as input); completion tokens include the thoughts, which Gemini
 * counts apart from `candidatesTokenCount`; cached tokens are part of the prompt in both APIs.
 * Zero counts are omitted by Gemini, so every field may be missing.
 */
export function convertGeminiUsage(metadata: GeminiUsageMetadata): Usage {
  const prompt = (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0);
  const reasoning = metadata.thoughtsTokenCount ?? 0;
  const completion = (metadata.candidatesTokenCount ?? 0) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: metadata.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}
