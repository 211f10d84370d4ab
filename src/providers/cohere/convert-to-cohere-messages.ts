import type { ChatMessage, ContentPart } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import type { CohereImagePart, CohereMessage, CohereTextPart } from './cohere-api.js';
import type { Warn } from '../../core/warnings.js';
import { requireSystemText } from '../../core/system-messages.js';

const IMAGE_DETAIL = new Set(['low', 'high', 'auto']);

const invalid = (message: string, param: string): ApiError => new ApiError('invalid_request', message, { param });

/**
 * OpenAI messages as Cohere v2 messages. Cohere keeps system prompts in place as `system`
 * messages (developer messages too). Images go as they are: Cohere takes both `data:` URLs and
 * http(s) URLs, and fetches the latter itself. An assistant turn's tool calls keep their ids; the
 * text that came with them (or the reasoning we surfaced from Cohere's own `tool_plan`) goes back
 * as `tool_plan`. Earlier turns' reasoning without tool calls is not sent back, as with OpenAI.
 */
export function convertToCohereMessages(messages: readonly ChatMessage[], warn: Warn): CohereMessage[] {
  let namesIgnored = false;
  const out = messages.map((message, i): CohereMessage => {
    const param = `messages[${i}]`;
    if (message.name !== undefined && message.role !== 'tool') namesIgnored = true;
    switch (message.role) {
      case 'system':
      case 'developer':
        requireSystemText(message, i);
        return { role: 'system', content: textContent(message.content, param) };
      case 'user':
        return { role: 'user', content: userContent(message.content, param) };
      case 'assistant':
        return assistantMessage(message, param);
      case 'tool':
        if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
          throw invalid(`Missing required parameter: '${param}.tool_call_id'.`, `${param}.tool_call_id`);
        }
        return { role: 'tool', tool_call_id: message.tool_call_id, content: textContent(message.content, param) };
      default:
        throw invalid(`Cohere does not support the role '${message.role}'; send tool results as role 'tool'.`, `${param}.role`);
    }
  });
  if (namesIgnored) warn('dropped_content', 'Cohere has no participant names; message names were ignored.');
  return out;
}

function assistantMessage(message: ChatMessage, param: string): CohereMessage {
  const text = plainText(message.content, param);
  const calls = message.tool_calls ?? [];
  if (calls.length === 0) return { role: 'assistant', content: text };
  const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
  const plan = [reasoning, text].filter((part) => part !== '').join('\n');
  return {
    role: 'assistant',
    tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } })),
    ...(plan !== '' ? { tool_plan: plan } : {}),
  };
}

/** Text content as Cohere takes it: a string stays a string, text parts stay parts. */
function textContent(content: ChatMessage['content'], param: string): string | CohereTextPart[] {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part, j) => ({ type: 'text', text: partText(part, `${param}.content[${j}]`) }));
}

function plainText(content: ChatMessage['content'], param: string): string {
  const text = textContent(content, param);
  return typeof text === 'string' ? text : text.map((part) => part.text).join('');
}

function partText(part: ContentPart, param: string): string {
  const { text, refusal } = part as { text?: unknown; refusal?: unknown };
  if (part.type === 'text' && typeof text === 'string') return text;
  // A refusal played back is what the assistant said.
  if (part.type === 'refusal' && typeof refusal === 'string') return refusal;
  throw invalid(`Cohere accepts only text here, not '${part.type}' parts.`, param);
}

function userContent(content: ChatMessage['content'], param: string): string | Array<CohereTextPart | CohereImagePart> {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part, j) => {
    const partParam = `${param}.content[${j}]`;
    if (part.type !== 'image_url') return { type: 'text', text: partText(part, partParam) };
    const image = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url;
    const url = image?.url;
    if (typeof url !== 'string' || !/^(data:|https?:\/\/)/i.test(url)) {
      throw invalid('Image URLs must be https, http or data: URLs.', `${partParam}.image_url.url`);
    }
    const out: CohereImagePart = { type: 'image_url', image_url: { url } };
    if (typeof image?.detail === 'string' && IMAGE_DETAIL.has(image.detail)) out.image_url.detail = image.detail as 'low' | 'high' | 'auto';
    return out;
  });
}
