import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { callableFunctions, chatTools, type ChatTools, type FunctionTool, requireFunctionTools } from '../../core/tools.js';
import type { AnthropicTool, AnthropicToolChoice } from './anthropic-api.js';
import type { Warning } from '../../core/warnings.js';

/**
 * The tool through which a `json_schema` response format is asked for: Anthropic's base API has
 * no response format, so the schema becomes this tool's input schema, the model is made to call
 * it, and its input is handed back as the message content (Anthropic's documented "JSON mode").
 */
export const JSON_RESPONSE_TOOL = 'json_response';

export interface PreparedTools {
  tools?: AnthropicTool[];
  toolChoice?: AnthropicToolChoice;
  /** True when JSON_RESPONSE_TOOL was added: its call is the answer's text, not a tool call. */
  jsonResponse: boolean;
  warnings: Warning[];
}

function invalid(message: string, param: string): ApiError {
  return new ApiError('invalid_request', message, { param });
}

function convertTool(fn: FunctionTool): AnthropicTool {
  // Anthropic requires an object schema; OpenAI lets a function without parameters leave it out.
  const converted: AnthropicTool = { name: fn.name, input_schema: { type: 'object', properties: {}, ...fn.parameters } };
  if (fn.description) converted.description = fn.description;
  return converted;
}

/**
 * The tool choice in Anthropic's terms; undefined leaves Anthropic's default (`auto`). An
 * `allowed_tools` choice offers only the allowed functions (see callableFunctions), so it is
 * their `auto` or `any`.
 */
function convertToolChoice(choice: ChatTools['choice']): AnthropicToolChoice | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
    case 'none':
      return { type: choice.type };
    case 'required':
      return { type: 'any' };
    case 'function':
      return { type: 'tool', name: choice.name };
    case 'allowed':
      return { type: choice.mode === 'required' ? 'any' : 'auto' };
  }
}

function jsonResponseTool(format: ChatRequest['response_format'], warnings: Warning[]): AnthropicTool | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    warnings.push({ code: 'unenforced_parameter', message: 'response_format json_object is not enforced by provider anthropic (it has no JSON mode without a schema); ask for JSON in the prompt or use json_schema' });
    return undefined;
  }
  if (format.type !== 'json_schema') {
    throw invalid(`Invalid value for 'response_format.type': ${format.type}.`, 'response_format.type');
  }
  const spec = format.json_schema ?? {};
  const schema = spec.schema && typeof spec.schema === 'object' ? (spec.schema as Record<string, unknown>) : { type: 'object' };
  const description = (spec as { description?: unknown }).description;
  return {
    name: JSON_RESPONSE_TOOL,
    description: `Give the answer by calling this tool with the response as its input${spec.name ? ` (${spec.name})` : ''}.${typeof description === 'string' ? ` ${description}` : ''}`,
    input_schema: schema,
  };
}

/**
 * The request's tools, tool choice, parallel_tool_calls and json_schema response format as
 * Anthropic's `tools` and `tool_choice`. With a response schema the model must call a tool: the
 * JSON tool alone, or any tool when the client's own tools are offered too (so it may still call those).
 */
export function prepareAnthropicTools(body: ChatRequest): PreparedTools {
  const warnings: Warning[] = [];
  const requested = chatTools(body);
  requireFunctionTools(requested, 'anthropic');
  const offered = requested.choice?.type === 'allowed' ? callableFunctions(requested) : requested.functions;
  const tools = offered.map(convertTool);
  let choice = convertToolChoice(requested.choice);
  const jsonTool = jsonResponseTool(body.response_format, warnings);
  if (offered.some((fn) => fn.strict) || body.response_format?.json_schema?.strict) {
    warnings.push({ code: 'unenforced_parameter', message: 'strict schemas are followed but not enforced by provider anthropic' });
  }

  if (jsonTool) {
    if (tools.some((t) => t.name === JSON_RESPONSE_TOOL)) {
      throw invalid(`The tool name ${JSON_RESPONSE_TOOL} is reserved for response_format json_schema with provider anthropic.`, 'tools');
    }
    if (choice?.type !== 'tool') choice = tools.length > 0 && choice?.type !== 'none' ? { type: 'any' } : { type: 'tool', name: JSON_RESPONSE_TOOL };
    tools.push(jsonTool);
  }
  if (tools.length === 0) {
    if (choice?.type === 'any') throw invalid("'tool_choice' allows no tool to call.", 'tool_choice');
    return { jsonResponse: false, warnings };
  }
  if (body.parallel_tool_calls === false && choice?.type !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  const prepared: PreparedTools = { tools, jsonResponse: jsonTool !== undefined, warnings };
  if (choice) prepared.toolChoice = choice;
  return prepared;
}
