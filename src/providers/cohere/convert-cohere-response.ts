import type { StreamPart } from '../../core/chat.js';
import type { CohereChatResponse } from './cohere-api.js';
import { convertCohereUsage } from './convert-cohere-usage.js';
import { cohereArgumentsText } from './cohere-values.js';
import { cohereFinishPart } from './map-cohere-finish-reason.js';

/**
 * A non-streamed Cohere answer as the same typed parts its stream would give, so both kinds of
 * answer become OpenAI's shape in one place (`collectChatCompletion`): the `tool_plan` and
 * thinking as reasoning, text parts as content, tool calls in order (`{}` for a call without
 * arguments), then the finish reason (with the stop sequence when `stopSequences`, those the request
 * sent, name it alone) and usage.
 */
export function convertCohereResponse(response: CohereChatResponse, stopSequences?: readonly string[]): StreamPart[] {
  const parts: StreamPart[] = [];
  const message = response.message;
  if (message.tool_plan) parts.push({ type: 'reasoning', text: message.tool_plan });
  for (const part of message.content ?? []) {
    if (part.type === 'thinking' && 'thinking' in part && part.thinking) parts.push({ type: 'reasoning', text: part.thinking });
    if (part.type === 'text' && 'text' in part && part.text) parts.push({ type: 'text', text: part.text });
  }
  for (const [index, call] of (message.tool_calls ?? []).entries()) {
    parts.push({ type: 'tool-call', index, id: call.id, name: call.function?.name, arguments: cohereArgumentsText(call.function?.arguments) || '{}' });
  }
  parts.push(cohereFinishPart(response.finish_reason, stopSequences));
  const usage = convertCohereUsage(response.usage);
  if (usage) parts.push({ type: 'usage', usage });
  return parts;
}
