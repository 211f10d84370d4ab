import type { ChatRequest } from '../../core/chat.js';
import { chatTools, requireFunctionTools, type ToolChoice } from '../../core/tools.js';
import { convertToGeminiSchema } from './convert-to-gemini-schema.js';
import type { GeminiFunctionDeclaration, GeminiToolConfig, GenerateContentRequest } from './gemini-api.js';
import { clientNames, type Warn } from '../../core/warnings.js';

export interface PreparedGeminiTools {
  tools?: GenerateContentRequest['tools'];
  toolConfig?: GeminiToolConfig;
}

function toolConfig(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'function':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
    case 'allowed':
      // Gemini takes a function list only with ANY, so AUTO over a subset is a subset of declarations.
      return choice.mode === 'required' ? { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: choice.names } } : { functionCallingConfig: { mode: 'AUTO' } };
  }
}

/**
 * The request's function tools and tool choice as Gemini function declarations and a function
 * calling mode: auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to it,
 * `allowed_tools` → AUTO over just those functions or ANY limited to them. What Gemini cannot
 * honour is reported.
 */
export function prepareGeminiTools(body: ChatRequest, warn: Warn): PreparedGeminiTools {
  const requested = chatTools(body);
  requireFunctionTools(requested, 'gemini');
  const choice = requested.choice;
  const offered = choice?.type === 'allowed' && choice.mode === 'auto' ? requested.functions.filter((fn) => choice.names.includes(fn.name)) : requested.functions;
  const declarations: GeminiFunctionDeclaration[] = [];
  for (const fn of offered) {
    const { schema, dropped } = convertToGeminiSchema(fn.parameters);
    if (dropped.length > 0) warn('schema_keyword_dropped', `gemini cannot express ${clientNames(dropped)} in tools[${requested.functions.indexOf(fn)}].function.parameters; dropped`);
    const declaration: GeminiFunctionDeclaration = { name: fn.name, description: fn.description ?? '' };
    if (schema) declaration.parameters = schema;
    declarations.push(declaration);
  }
  if (offered.some((fn) => fn.strict)) warn('unenforced_parameter', 'gemini does not enforce strict function schemas; strict was ignored');
  if (body.parallel_tool_calls === false && declarations.length > 0) warn('dropped_parameter', 'gemini cannot turn off parallel function calls; parallel_tool_calls was ignored');
  if (declarations.length === 0) return {};

  const prepared: PreparedGeminiTools = { tools: [{ functionDeclarations: declarations }] };
  const config = toolConfig(choice);
  if (config) prepared.toolConfig = config;
  return prepared;
}
