import { signThinking } from '../core/anthropic-messages.js';
import type { ChatCompletion, FinishReason, Usage } from '../core/chat.js';

/** What an answer is encoded with: the request id, the client's model id, whether the client turned thinking on, its stop sequences. */
export interface AnthropicAnswerContext {
  id: string;
  model: string;
  thinking: boolean;
  stopSequences: readonly string[];
}

/**
 * The client's stop sequence that ended the answer, where the provider named it: vLLM's
 * `stop_reason` (the gateway's own providers write it too), SGLang's `matched_stop`. A name that
 * is not one of the client's sequences (a stop token's id, the model's own end marker) is none.
 */
export function matchedStopSequence(choice: { stop_reason?: unknown; matched_stop?: unknown } | undefined, stops: readonly string[]): string | undefined {
  const named = choice?.stop_reason ?? choice?.matched_stop;
  return typeof named === 'string' && stops.includes(named) ? named : undefined;
}

/** Anthropic's stop reasons for the core finish reasons; an unknown one ends the turn. */
export function anthropicStopReason(finish: FinishReason | null | undefined, stopSequence?: string): string {
  switch (finish) {
    case 'stop':
      return stopSequence === undefined ? 'end_turn' : 'stop_sequence';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Anthropic counts cached prompt tokens apart from `input_tokens`; the core usage counts them inside `prompt_tokens`. */
export function anthropicUsage(usage: Usage | undefined): AnthropicUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const written = usage?.prompt_tokens_details?.cache_creation_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached - written),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/** The Messages API id of an answer: `msg_` and the random part of the gateway's request id. */
export function messageId(requestId: string): string {
  return `msg_${requestId.slice(requestId.indexOf('-') + 1)}`;
}

/** Arguments as a tool_use block's input: the object the model wrote, or an empty one when it wrote no JSON object. */
export function toolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args === '' ? '{}' : args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * An answer's `thinking_blocks` as Anthropic's blocks: a signed one as it came, an unsigned one signed
 * by the gateway, a redacted one with its data. Checked, as an OpenAI-compatible upstream may write them.
 */
function thinkingBlocks(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  const blocks: Array<Record<string, unknown>> = [];
  for (const block of value as Array<Partial<Record<string, unknown>> | null>) {
    if (block?.type === 'thinking' && typeof block.thinking === 'string') {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: typeof block.signature === 'string' && block.signature !== '' ? block.signature : signThinking(block.thinking) });
    } else if (block?.type === 'redacted_thinking' && typeof block.data === 'string') blocks.push({ type: 'redacted_thinking', data: block.data });
  }
  return blocks;
}

/**
 * A chat completion as Anthropic's Message: thinking (when the client turned it on: the provider's
 * signed and redacted blocks as they came, else signed by the gateway), text and tool_use blocks in that order.
 */
export function encodeAnthropicMessage(completion: ChatCompletion, ctx: AnthropicAnswerContext): string {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: Array<Record<string, unknown>> = [];
  const stopSequence = matchedStopSequence(choice, ctx.stopSequences);
  const reasoning = message?.reasoning_content;
  const blocks = ctx.thinking ? thinkingBlocks(message?.thinking_blocks) : [];
  if (blocks.length > 0) content.push(...blocks);
  else if (ctx.thinking && typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: signThinking(reasoning) });
  if (typeof message?.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of message?.tool_calls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  return JSON.stringify({
    id: messageId(ctx.id),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: anthropicStopReason(choice?.finish_reason, stopSequence),
    stop_sequence: stopSequence ?? null,
    usage: anthropicUsage(completion.usage),
  });
}
