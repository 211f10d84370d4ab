import { answerLimit, type ChatRequest } from '../../core/chat.js';

/**
 * A relayed body with the gateway's answer cap applied, in the field the upstream reads: the one
 * the client used, else OpenAI's `max_completion_tokens` (its reasoning models refuse `max_tokens`),
 * else, for the rest of the family, `max_tokens`, the field every OpenAI-compatible server knows.
 */
export function capAnswerTokens(body: ChatRequest, cap: number | undefined, providerType: string): ChatRequest {
  if (cap === undefined) return body;
  const limit = answerLimit(body, cap);
  const capped: ChatRequest = { ...body };
  if (body.max_completion_tokens != null) capped.max_completion_tokens = limit;
  if (body.max_tokens != null) capped.max_tokens = Math.min(body.max_tokens, cap);
  if (body.max_completion_tokens == null && body.max_tokens == null) {
    if (providerType === 'openai') capped.max_completion_tokens = limit;
    else capped.max_tokens = limit;
  }
  return capped;
}
