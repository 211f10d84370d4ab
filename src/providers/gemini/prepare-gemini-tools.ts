import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { convertToGeminiSchema } from './convert-to-gemini-schema.js';
import type { GeminiFunctionDeclaration, GeminiToolConfig, GenerateContentRequest } from './gemini-api.js';
import { clientName, clientNames, type Warn } from '../../core/warnings.js';

export interface PreparedGeminiTools {
  tools?: GenerateContentRequest['tools'];
  toolConfig?: GeminiToolConfig;
}

interface FunctionTool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: unknown; strict?: boolean | null };
}

interface NamedChoice {
  type?: string;
  function?: { name?: string };
  allowed_tools?: { mode?: string; tools?: NamedChoice[] };
}

const invalidChoice = (): ApiError =>
  new ApiError('invalid_request', "Invalid value for 'tool_choice': expected none, auto, required or a function to call.", { param: 'tool_choice' });

/**
 * OpenAI `tools` and `tool_choice` as Gemini function declarations and a function calling mode:
 * auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to it, `allowed_tools`
 * → AUTO over just those functions or ANY limited to them. What Gemini cannot honour is reported.
 */
export function prepareGeminiTools(body: ChatRequest, warn: Warn): PreparedGeminiTools {
  let declarations: GeminiFunctionDeclaration[] = [];
  let strict = false;
  for (const [i, tool] of ((body.tools ?? []) as FunctionTool[]).entries()) {
    if (tool.type !== 'function' || typeof tool.function?.name !== 'string') {
      warn('dropped_parameter', `gemini supports only function tools; tools[${i}] (${clientName(tool.type)}) was ignored`);
      continue;
    }
    const fn = tool.function;
    if (fn.strict) strict = true;
    const { schema, dropped } = convertToGeminiSchema(fn.parameters);
    if (dropped.length > 0) warn('schema_keyword_dropped', `gemini cannot express ${clientNames(dropped)} in tools[${i}].function.parameters; dropped`);
    const declaration: GeminiFunctionDeclaration = { name: fn.name!, description: fn.description ?? '' };
    if (schema) declaration.parameters = schema;
    declarations.push(declaration);
  }
  if (strict) warn('unenforced_parameter', 'gemini does not enforce strict function schemas; strict was ignored');
  if (body.parallel_tool_calls === false) warn('dropped_parameter', 'gemini cannot turn off parallel function calls; parallel_tool_calls was ignored');
  let toolConfig: GeminiToolConfig | undefined;
  const choice = body.tool_choice as string | NamedChoice | null | undefined;
  if (choice === 'auto') toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
  else if (choice === 'none') toolConfig = { functionCallingConfig: { mode: 'NONE' } };
  else if (choice === 'required') toolConfig = { functionCallingConfig: { mode: 'ANY' } };
  else if (typeof choice === 'object' && choice !== null && choice.type === 'function' && typeof choice.function?.name === 'string') {
    toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  } else if (typeof choice === 'object' && choice !== null && choice.type === 'allowed_tools' && choice.allowed_tools) {
    const names = (choice.allowed_tools.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
    if (choice.allowed_tools.mode === 'required') toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: names } };
    else if (choice.allowed_tools.mode === 'auto') {
      // Gemini allows a function list only with ANY, so AUTO over a subset is a subset of declarations.
      declarations = declarations.filter((d) => names.includes(d.name));
      toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
    } else throw invalidChoice();
  } else if (choice !== undefined && choice !== null) throw invalidChoice();
  if (declarations.length === 0) return {};

  const prepared: PreparedGeminiTools = { tools: [{ functionDeclarations: declarations }] };
  if (toolConfig) prepared.toolConfig = toolConfig;
  return prepared;
}
