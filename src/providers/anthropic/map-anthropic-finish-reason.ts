import { boundedFinishReason } from '../../core/bounded-finish-reason.js';
import type { FinishReason } from '../../core/chat.js';

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // The context window filled up before max_tokens: still an answer cut short by length.
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  // A server-tool loop paused; the text so far is a complete turn the client may continue.
  pause_turn: 'stop',
};

/**
 * Anthropic's `stop_reason` as an OpenAI finish reason. An unknown value is kept raw so a new
 * reason reaches clients and logs instead of being guessed at (if it is a short plain word); a missing one means a normal stop.
 * `tool_use` without any tool call left for the client (the JSON response tool was the answer,
 * see prepare-anthropic-tools.ts) is a plain stop.
 */
export function mapAnthropicFinishReason(stopReason: string | null | undefined, hasToolCalls = true): FinishReason {
  if (stopReason === null || stopReason === undefined) return 'stop';
  if (stopReason === 'tool_use' && !hasToolCalls) return 'stop';
  return FINISH_REASONS[stopReason] ?? boundedFinishReason(stopReason);
}
