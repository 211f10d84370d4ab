import type { ChatMessage, ChatRequest } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { CHAT_TOOLS, readChatTools } from '../core/tools.js';
import type { ResponsesRequest } from './responses-request.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A tool the model would run on OpenAI's side (web search, file search, ...): no deployment here runs it. */
function builtInTool(type: string, param: string): ApiError {
  return new ApiError(
    'unsupported_parameter',
    `${param} is the built-in tool ${JSON.stringify(type.slice(0, 40))}, which this gateway cannot run; it takes function tools only.`,
    { param },
  );
}

/** Responses function tools are flat (`{type, name, parameters}`); chat nests them under `function`. */
function chatTools(tools: ResponsesRequest['tools']): unknown[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((tool, i) => {
    if (tool.type !== 'function') throw builtInTool(tool.type, `tools[${i}]`);
    const fn: Record<string, unknown> = { name: tool.name };
    if (tool.description != null) fn.description = tool.description;
    if (tool.parameters != null) fn.parameters = tool.parameters;
    if (tool.strict === true) fn.strict = true;
    return { type: 'function', function: fn };
  });
}

function chatToolChoice(choice: ResponsesRequest['tool_choice']): unknown {
  if (choice == null || typeof choice === 'string') return choice ?? undefined;
  if (choice.type === 'function') return { type: 'function', function: { name: choice.name } };
  if (choice.type === 'allowed_tools') {
    const tools = Array.isArray(choice.tools) ? choice.tools : [];
    return {
      type: 'allowed_tools',
      allowed_tools: {
        mode: choice.mode,
        tools: tools.map((tool, i) => {
          if (!isObject(tool) || tool.type !== 'function') throw builtInTool(String(isObject(tool) ? tool.type : tool), `tool_choice.tools[${i}]`);
          return { type: 'function', function: { name: tool.name } };
        }),
      },
    };
  }
  throw builtInTool(choice.type, 'tool_choice');
}

function responseFormat(format: NonNullable<NonNullable<ResponsesRequest['text']>['format']>): ChatRequest['response_format'] {
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type !== 'json_schema') return undefined;
  if (!format.name || !format.schema) throw new ApiError('invalid_request', "'text.format' of type json_schema needs a name and a schema.", { param: 'text.format' });
  const schema: NonNullable<ChatRequest['response_format']>['json_schema'] & Record<string, unknown> = { name: format.name, schema: format.schema };
  if (format.description !== undefined) schema.description = format.description;
  if (format.strict != null) schema.strict = format.strict;
  return { type: 'json_schema', json_schema: schema };
}

/**
 * A Responses request as the core chat request every provider serves: `max_output_tokens` as the
 * answer limit, `text.format` as `response_format`, `reasoning.effort` as `reasoning_effort`, and
 * function tools in the chat shape. `metadata`, `store` and the like stay with the gateway.
 */
export function responsesToChatRequest(request: ResponsesRequest, messages: ChatMessage[]): ChatRequest {
  if (messages.length === 0) throw new ApiError('invalid_request', "'input' has no message to answer.", { param: 'input' });
  const chat: ChatRequest = { model: request.model, messages };
  if (request.stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (request.max_output_tokens != null) chat.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) chat.temperature = request.temperature;
  if (request.top_p != null) chat.top_p = request.top_p;
  if (request.user != null) chat.user = request.user;
  if (request.parallel_tool_calls != null) chat.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort != null) chat.reasoning_effort = request.reasoning.effort;
  const format = request.text?.format;
  if (format) {
    const converted = responseFormat(format);
    if (converted) chat.response_format = converted;
  }
  const tools = chatTools(request.tools);
  if (tools) chat.tools = tools;
  const choice = chatToolChoice(request.tool_choice);
  if (choice !== undefined) chat.tool_choice = choice;
  chat[CHAT_TOOLS] = readChatTools(chat.tools, chat.tool_choice);
  return chat;
}
