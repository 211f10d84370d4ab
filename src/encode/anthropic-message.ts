import { signThinking } from '../core/anthropic-messages.js';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../core/chat.js';
import { type AnswerBlock, answerOrder } from './answer-order.js';

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
 * One of an answer's `thinking_blocks` as Anthropic's block: a signed one as it came, an unsigned one signed
 * by the gateway, a redacted one with its data; undefined for a malformed one (an OpenAI-compatible upstream may write them).
 */
function thinkingBlock(block: Partial<Record<string, unknown>> | null | undefined): Record<string, unknown> | undefined {
  if (block?.type === 'thinking' && typeof block.thinking === 'string') {
    return { type: 'thinking', thinking: block.thinking, signature: typeof block.signature === 'string' && block.signature !== '' ? block.signature : signThinking(block.thinking) };
  }
  if (block?.type === 'redacted_thinking' && typeof block.data === 'string') return { type: 'redacted_thinking', data: block.data };
  return undefined;
}

type Message = ChatCompletion['choices'][number]['message'];

/** The answer's reasoning as thinking blocks (when the client turned thinking on): the provider's blocks, else its reasoning text signed by the gateway. */
function thinkingBlocks(message: Message | undefined): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  const given: unknown = message?.thinking_blocks;
  if (Array.isArray(given)) {
    for (const block of given as Array<Partial<Record<string, unknown>> | null>) {
      const checked = thinkingBlock(block);
      if (checked) blocks.push(checked);
    }
  }
  const reasoning = message?.reasoning_content;
  if (blocks.length === 0 && typeof reasoning === 'string' && reasoning !== '') blocks.push({ type: 'thinking', thinking: reasoning, signature: signThinking(reasoning) });
  return blocks;
}

function toolUse(call: ToolCall): Record<string, unknown> {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) };
}

/**
 * The blocks in the order the collector recorded (interleaved thinking: [thinking, text, thinking, tool_use]).
 * Reasoning without the provider's blocks is one block, written where it began.
 */
function orderedContent(message: Message, order: readonly AnswerBlock[], thinking: boolean): Array<Record<string, unknown>> {
  const content: Array<Record<string, unknown>> = [];
  const given = Array.isArray(message.thinking_blocks) ? (message.thinking_blocks as Array<Partial<Record<string, unknown>> | null>) : undefined;
  let reasoningWritten = false;
  for (const entry of order) {
    if (entry.type === 'text') {
      if (typeof message.content === 'string' && entry.end > entry.start) content.push({ type: 'text', text: message.content.slice(entry.start, entry.end) });
    } else if (entry.type === 'tool_use') {
      const call = message.tool_calls?.[entry.call];
      if (call) content.push(toolUse(call));
    } else if (thinking && given) {
      const block = thinkingBlock(given[entry.block]);
      if (block) content.push(block);
    } else if (thinking && !reasoningWritten) {
      reasoningWritten = true;
      content.push(...thinkingBlocks(message));
    }
  }
  return content;
}

/**
 * A chat completion as Anthropic's Message: thinking (when the client turned it on: the provider's
 * signed and redacted blocks as they came, else signed by the gateway), text and tool_use blocks, in the
 * order they came when the answer was collected from parts, else thinking, text and tool_use.
 */
export function encodeAnthropicMessage(completion: ChatCompletion, ctx: AnthropicAnswerContext): string {
  const choice = completion.choices[0];
  const message = choice?.message;
  const stopSequence = matchedStopSequence(choice, ctx.stopSequences);
  const order = answerOrder(message);
  let content: Array<Record<string, unknown>>;
  if (message && order) content = orderedContent(message, order, ctx.thinking);
  else {
    content = ctx.thinking ? thinkingBlocks(message) : [];
    if (typeof message?.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
    for (const call of message?.tool_calls ?? []) content.push(toolUse(call));
  }
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
