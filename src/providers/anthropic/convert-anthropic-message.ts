import type { StreamPart } from '../../core/chat.js';
import type { AnthropicMessage } from './anthropic-api.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';
import { JSON_RESPONSE_TOOL } from './prepare-anthropic-tools.js';

/**
 * A non-streamed Anthropic message as the same typed parts a stream yields, so one collector
 * builds every `chat.completion`: text and thinking blocks in order (thinking with its signature, redacted thinking with its data), tool_use blocks as tool
 * calls (or as the text, for the JSON response tool), then finish reason and usage.
 * Server-tool and other newer block types carry nothing an OpenAI client could read.
 */
export function convertAnthropicMessage(message: AnthropicMessage, options: { jsonResponse: boolean }): StreamPart[] {
  const parts: StreamPart[] = [];
  let toolCalls = 0;
  for (const block of message.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') {
      parts.push({ type: 'text', text: block.text });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      parts.push(typeof block.signature === 'string' && block.signature ? { type: 'reasoning', text: block.thinking, signature: block.signature } : { type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      parts.push({ type: 'redacted-reasoning', data: block.data });
    } else if (block.type === 'tool_use') {
      const input = JSON.stringify(block.input ?? {});
      if (options.jsonResponse && block.name === JSON_RESPONSE_TOOL) parts.push({ type: 'text', text: input });
      else parts.push({ type: 'tool-call', index: toolCalls++, id: String(block.id), name: String(block.name), arguments: input });
    }
  }
  const stopSequence = typeof message.stop_sequence === 'string' ? { stopSequence: message.stop_sequence } : {};
  parts.push({ type: 'finish', reason: mapAnthropicFinishReason(message.stop_reason, toolCalls > 0), ...stopSequence });
  if (message.usage) parts.push({ type: 'usage', usage: convertAnthropicUsage(message.usage) });
  return parts;
}
