import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
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

interface OpenAITool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

function invalid(message: string, param: string): ApiError {
  return new ApiError('invalid_request', message, { param });
}

function convertTool(tool: OpenAITool, index: number): AnthropicTool {
  const fn = tool.function;
  if (tool.type !== 'function' || typeof fn?.name !== 'string') {
    throw invalid(`Provider anthropic supports only function tools with a name; tools[${index}] is not one.`, `tools[${index}]`);
  }
  // Anthropic requires an object schema; OpenAI lets a function without parameters leave it out.
  const converted: AnthropicTool = { name: fn.name, input_schema: { type: 'object', properties: {}, ...fn.parameters } };
  if (fn.description) converted.description = fn.description;
  return converted;
}

/** OpenAI's tool_choice in Anthropic's terms; undefined leaves Anthropic's default (`auto`). */
function convertToolChoice(choice: unknown): AnthropicToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  const named = choice as { type?: string; function?: { name?: unknown } };
  if (named.type === 'function' && typeof named.function?.name === 'string') return { type: 'tool', name: named.function.name };
  throw invalid('Provider anthropic supports tool_choice "none", "auto", "required" or a named function.', 'tool_choice');
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
 * OpenAI's tools, tool_choice, parallel_tool_calls and json_schema response format as Anthropic's
 * `tools` and `tool_choice`. With a response schema the model must call a tool: the JSON tool
 * alone, or any tool when the client's own tools are offered too (so it may still call those).
 */
export function prepareAnthropicTools(body: ChatRequest): PreparedTools {
  const warnings: Warning[] = [];
  const openAITools = (body.tools ?? []) as OpenAITool[];
  const tools = openAITools.map(convertTool);
  let choice = convertToolChoice(body.tool_choice);
  const jsonTool = jsonResponseTool(body.response_format, warnings);
  if (openAITools.some((t) => t.function?.strict) || body.response_format?.json_schema?.strict) {
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
    if (choice?.type === 'any' || choice?.type === 'tool') throw invalid("'tool_choice' requires 'tools'.", 'tool_choice');
    return { jsonResponse: false, warnings };
  }
  if (body.parallel_tool_calls === false && choice?.type !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  const prepared: PreparedTools = { tools, jsonResponse: jsonTool !== undefined, warnings };
  if (choice) prepared.toolChoice = choice;
  return prepared;
}
