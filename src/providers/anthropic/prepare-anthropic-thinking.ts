import { clientName, type Warning } from '../../core/warnings.js';
import { MIN_THINKING_BUDGET } from './anthropic-passthrough.js';

/**
 * `reasoning_effort` as extended thinking budgets, on LiteLLM's scale for Claude (low 1024,
 * medium 2048, high 4096); `minimal` is Anthropic's smallest budget, `none` no thinking.
 */
const THINKING_BUDGETS: Record<string, number> = { none: 0, minimal: MIN_THINKING_BUDGET, low: MIN_THINKING_BUDGET, medium: 2048, high: 4096 };

/** The answer room left beside the budget when the client set no limit (the adapter's default answer limit). */
const ANSWER_ROOM = 4096;

export interface AnthropicThinkingPlan {
  thinking?: { type: 'enabled'; budget_tokens: number };
  /** The answer limit to send: the one asked for, or with no limit asked, the budget plus room for an answer. */
  maxTokens: number | undefined;
}

/**
 * A chat request's reasoning effort as Anthropic's `thinking`, whose budget must stay below
 * `max_tokens`: a limit at or under the budget lowers the budget to fit (reported), or leaves
 * thinking out when that is below Anthropic's minimum (reported). `limit` is the answer limit
 * asked for (under the gateway's cap), undefined when none.
 */
export function prepareAnthropicThinking(effort: unknown, limit: number | undefined, warnings: Warning[]): AnthropicThinkingPlan {
  if (effort === undefined || effort === null) return { maxTokens: limit };
  const budget = typeof effort === 'string' ? THINKING_BUDGETS[effort] : undefined;
  if (budget === undefined) {
    warnings.push({ code: 'dropped_parameter', message: `provider anthropic does not know reasoning_effort ${clientName(String(effort))}; it was ignored` });
    return { maxTokens: limit };
  }
  if (budget === 0) return { maxTokens: limit };
  if (limit === undefined) return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: budget + ANSWER_ROOM };
  if (budget < limit) return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: limit };
  if (limit - 1 < MIN_THINKING_BUDGET) {
    warnings.push({ code: 'dropped_parameter', message: `reasoning_effort was ignored: an answer limit of ${limit} tokens leaves no room for provider anthropic's smallest thinking budget (${MIN_THINKING_BUDGET})` });
    return { maxTokens: limit };
  }
  warnings.push({ code: 'adjusted_parameter', message: `reasoning_effort ${effort} is a thinking budget of ${budget} tokens, not below the answer limit; sent ${limit - 1}` });
  return { thinking: { type: 'enabled', budget_tokens: limit - 1 }, maxTokens: limit };
}
