import { answerLimit } from '../../core/chat.js';
import type { AnthropicMessagesOrigin } from '../../core/anthropic-messages.js';
import type { Warning } from '../../core/warnings.js';
import type { AnthropicRequest } from './anthropic-api.js';

/**
 * The `anthropic-beta` features a client's request may pass on: those that change how a request is
 * read or streamed, not the shape of its answer (which is translated back) nor the account.
 */
export const ALLOWED_BETAS: ReadonlySet<string> = new Set([
  'prompt-caching-2024-07-31',
  'extended-cache-ttl-2025-04-11',
  'token-efficient-tools-2025-02-19',
  'fine-grained-tool-streaming-2025-05-14',
  'output-128k-2025-02-19',
  'context-1m-2025-08-07',
]);

export interface PassthroughPlan {
  body: AnthropicRequest;
  /** The `anthropic-beta` header to send, if any feature asked for is allowed. */
  beta: string | undefined;
  warnings: Warning[];
}

/** A Messages API client's own body for an Anthropic deployment: its model, the answer limit under the gateway's cap, and streaming set here. */
export function passthroughRequest(origin: AnthropicMessagesOrigin, options: { model: string; stream: boolean; maxAnswerTokens?: number }): PassthroughPlan {
  const asked = origin.body.max_tokens as number;
  const body = { ...origin.body, model: options.model, max_tokens: answerLimit({ max_tokens: asked }, options.maxAnswerTokens) ?? asked } as unknown as AnthropicRequest;
  if (options.stream) body.stream = true;
  const warnings: Warning[] = [];
  const allowed = origin.betas.filter((beta) => ALLOWED_BETAS.has(beta));
  if (allowed.length < origin.betas.length) warnings.push({ code: 'dropped_parameter', message: `anthropic-beta features that are not allowed were not passed on (${origin.betas.length - allowed.length})` });
  return { body, beta: allowed.length > 0 ? allowed.join(',') : undefined, warnings };
}
