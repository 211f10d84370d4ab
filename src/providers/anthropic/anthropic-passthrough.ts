import { answerLimit } from '../../core/chat.js';
import { type AnthropicMessagesOrigin, isGatewaySignature } from '../../core/anthropic-messages.js';
import type { Warning } from '../../core/warnings.js';
import type { AnthropicRequest } from './anthropic-api.js';

/**
 * The `anthropic-beta` features a client's request may pass on: those that change how a request is
 * read or streamed, not the shape of its answer (which is translated back) nor the account.
 * Interleaved thinking only orders thinking blocks between tool calls, which the encoders keep.
 */
export const ALLOWED_BETAS: ReadonlySet<string> = new Set([
  'prompt-caching-2024-07-31',
  'extended-cache-ttl-2025-04-11',
  'token-efficient-tools-2025-02-19',
  'fine-grained-tool-streaming-2025-05-14',
  'output-128k-2025-02-19',
  'context-1m-2025-08-07',
  'interleaved-thinking-2025-05-14',
]);

/** Anthropic's smallest thinking budget; it must also stay under `max_tokens`. */
export const MIN_THINKING_BUDGET = 1024;

export interface PassthroughPlan {
  body: AnthropicRequest;
  /** The `anthropic-beta` header to send, if any feature asked for is allowed. */
  beta: string | undefined;
  warnings: Warning[];
}

type Block = { type?: unknown; signature?: unknown };
type Message = { role?: unknown; content?: unknown };

const isThinking = (block: Block): boolean => block?.type === 'thinking' || block?.type === 'redacted_thinking';

/**
 * The history as Anthropic is sent it. With thinking on, the thinking blocks Anthropic signed go
 * back as they came (it requires them around tool use); with it off, none. The gateway's own blocks
 * (another model's reasoning) never go: Anthropic rejects a signature it did not issue.
 * The client's array itself when nothing is left out.
 */
function history(messages: Message[], thinking: boolean): Message[] {
  const keep = (block: Block): boolean => !isThinking(block) || (thinking && !isGatewaySignature(block.signature));
  const drops = (m: Message): boolean => m.role === 'assistant' && Array.isArray(m.content) && !(m.content as Block[]).every(keep);
  if (!messages.some(drops)) return messages;
  return messages.map((m) => (drops(m) ? { ...m, content: (m.content as Block[]).filter(keep) } : m));
}

interface ThinkingUnder {
  /** The client's `thinking`, as sent. */
  asked: unknown;
  /** The `max_tokens` sent upstream, after the gateway's cap. */
  maxTokens: number;
  /** The client's own `max_tokens`. */
  clientMax: number;
  warnings: Warning[];
}

/**
 * The client's `thinking` under the answer limit sent: as asked, unless the gateway's cap lowered
 * `max_tokens` to or below its budget — then the budget is lowered under it, or thinking left out
 * when that is below Anthropic's minimum. A budget the client itself set at or over its own
 * `max_tokens` goes as sent, for Anthropic to refuse in its words.
 */
function thinkingUnder({ asked, maxTokens, clientMax, warnings }: ThinkingUnder): Record<string, unknown> | undefined {
  if (typeof asked !== 'object' || asked === null) return undefined;
  const thinking = asked as Record<string, unknown>;
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || budget < maxTokens || maxTokens === clientMax) return thinking;
  if (maxTokens - 1 < MIN_THINKING_BUDGET) {
    warnings.push({ code: 'dropped_parameter', message: `thinking was left out: the gateway's answer limit (${maxTokens}) leaves no room for a budget of ${MIN_THINKING_BUDGET} tokens` });
    return undefined;
  }
  warnings.push({ code: 'adjusted_parameter', message: `thinking.budget_tokens ${budget} is not below the gateway's answer limit; sent ${maxTokens - 1}` });
  return { ...thinking, budget_tokens: maxTokens - 1 };
}

/**
 * A Messages API client's own body for an Anthropic deployment: its model, the answer limit under
 * the gateway's cap, streaming set here, and its `thinking` only when routing let it think.
 */
export function passthroughRequest(origin: AnthropicMessagesOrigin, options: { model: string; stream: boolean; maxAnswerTokens?: number; thinking?: boolean }): PassthroughPlan {
  const { thinking: asked, ...rest } = origin.body;
  const clientMax = rest.max_tokens as number;
  const maxTokens = answerLimit({ max_tokens: clientMax }, options.maxAnswerTokens) ?? clientMax;
  const warnings: Warning[] = [];
  const thinking = options.thinking === true ? thinkingUnder({ asked, maxTokens, clientMax, warnings }) : undefined;
  const body = { ...rest, model: options.model, max_tokens: maxTokens, messages: history(rest.messages as Message[], thinking !== undefined) } as unknown as AnthropicRequest;
  if (thinking) body.thinking = thinking;
  if (options.stream) body.stream = true;
  const allowed = origin.betas.filter((beta) => ALLOWED_BETAS.has(beta));
  if (allowed.length < origin.betas.length) warnings.push({ code: 'dropped_parameter', message: `anthropic-beta features that are not allowed were not passed on (${origin.betas.length - allowed.length})` });
  return { body, beta: allowed.length > 0 ? allowed.join(',') : undefined, warnings };
}
