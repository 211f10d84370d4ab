import type { ChatMessage, ContentPart, ToolCall } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import type { ResponsesInputItem } from './responses-request.js';

const invalid = (message: string, param: string): ApiError => new ApiError('invalid_request', message, { param });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function textOf(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(`Invalid type for '${param}': expected a string.`, param);
  return value;
}

/** A content part of a message item as a chat content part. */
function contentPart(part: unknown, param: string): ContentPart {
  if (!isObject(part) || typeof part.type !== 'string') throw invalid(`Invalid value for '${param}': expected a content part.`, param);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: textOf(part.text, `${param}.text`) };
    case 'refusal':
      return { type: 'text', text: textOf(part.refusal, `${param}.refusal`) };
    case 'input_image': {
      if (typeof part.image_url !== 'string') {
        throw new ApiError('unsupported_parameter', `'${param}' has no image_url: images by file_id are not supported by this gateway; send the image by URL or data URL.`, { param });
      }
      const image: { url: string; detail?: string } = { url: part.image_url };
      if (typeof part.detail === 'string') image.detail = part.detail;
      return { type: 'image_url', image_url: image };
    }
    case 'input_file': {
      if (typeof part.file_data !== 'string') {
        throw new ApiError('unsupported_parameter', `'${param}' has no file_data: files by file_id or file_url are not supported by this gateway; send the file's data.`, { param });
      }
      const file: Record<string, string> = { file_data: part.file_data };
      if (typeof part.filename === 'string') file.filename = part.filename;
      return { type: 'file', file };
    }
    default:
      throw new ApiError('unsupported_parameter', `'${param}' is a content part of type ${JSON.stringify(part.type.slice(0, 40))}, which this gateway does not support.`, { param });
  }
}

function messageContent(content: unknown, param: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`Invalid type for '${param}': expected a string or a list of content parts.`, param);
  const parts = content.map((part, i) => contentPart(part, `${param}[${i}]`));
  // Text alone is sent as a string: every provider takes that, and assistant turns need it on some.
  return parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('') : parts;
}

function outputText(output: unknown, param: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) throw invalid(`Invalid type for '${param}': expected a string or a list of content parts.`, param);
  return output.map((part, i) => {
    const read = contentPart(part, `${param}[${i}]`);
    if (read.type !== 'text') throw new ApiError('unsupported_parameter', `'${param}[${i}]': a function's output can only be text here.`, { param: `${param}[${i}]` });
    return (read as { text: string }).text;
  }).join('');
}

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);

/**
 * The Responses `instructions` and `input` as chat messages: message items keep their role,
 * consecutive `function_call` items become one assistant turn with its tool calls (joined to the
 * assistant text before them), `function_call_output` items become tool messages, and `reasoning`
 * items are left out (no chat provider takes them back).
 */
export function convertResponsesInput(instructions: string | null | undefined, input: string | ResponsesInputItem[] | undefined): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  if (input === undefined) return messages;
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  for (const [i, item] of input.entries()) {
    const param = `input[${i}]`;
    // The route replaces the references it finds among the user's stored responses; one left is unknown.
    if (item.type === 'item_reference') {
      const id = typeof item.id === 'string' ? item.id : '';
      throw invalid(`'${param}' refers to the item ${JSON.stringify(id.slice(0, 80))}, which is not stored for this key.`, param);
    }
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (typeof item.role !== 'string' || !ROLES.has(item.role)) throw invalid(`Invalid value for '${param}.role': expected user, assistant, system or developer.`, `${param}.role`);
      const content = messageContent(item.content, `${param}.content`);
      messages.push({ role: item.role as ChatMessage['role'], content });
    } else if (type === 'function_call') {
      const call: ToolCall = {
        id: textOf(item.call_id, `${param}.call_id`),
        type: 'function',
        function: { name: textOf(item.name, `${param}.name`), arguments: textOf(item.arguments, `${param}.arguments`) },
      };
      const last = messages.at(-1);
      // A call joins the assistant turn before it: its text, or the calls made alongside it.
      if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: textOf(item.call_id, `${param}.call_id`), content: outputText(item.output, `${param}.output`) });
    } else if (type !== 'reasoning') {
      throw new ApiError('unsupported_parameter', `'${param}' is an item of type ${JSON.stringify(type.slice(0, 40))}, which this gateway does not support (it takes messages, function calls and their outputs).`, { param });
    }
  }
  return messages;
}
