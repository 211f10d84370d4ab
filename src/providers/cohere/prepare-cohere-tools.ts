import { callableFunctions, type ChatTools, requireFunctionTools } from '../../core/tools.js';
import type { CohereChatRequest, CohereTool } from './cohere-api.js';
import type { Warn } from '../../core/warnings.js';

type PreparedTools = Pick<CohereChatRequest, 'tools' | 'tool_choice' | 'strict_tools'>;

/**
 * The request's function tools and tool choice in Cohere's terms. Cohere's tool shape is OpenAI's
 * without `strict`, which becomes the request-wide `strict_tools`. Cohere's `tool_choice` has only
 * `REQUIRED` and `NONE` (`auto` is leaving it out), so a named function (or an `allowed_tools`
 * list) is honoured by offering only those tools: with `REQUIRED`, a call of the named function
 * is then the only possible answer, as it is at OpenAI. That loses nothing, so it is not reported.
 */
export function prepareCohereTools(requested: ChatTools, warn: Warn): PreparedTools {
  requireFunctionTools(requested, 'cohere');
  if (requested.functions.length === 0) return {};
  const offered = callableFunctions(requested);
  const tools = offered.map((fn): CohereTool => {
    const converted: CohereTool['function'] = { name: fn.name, parameters: fn.parameters ?? { type: 'object', properties: {} } };
    if (fn.description !== undefined) converted.description = fn.description;
    return { type: 'function', function: converted };
  });

  const prepared: PreparedTools = {};
  const strict = offered.filter((fn) => fn.strict).length;
  if (strict > 0) {
    prepared.strict_tools = true;
    if (strict < offered.length) warn('adjusted_parameter', 'Cohere applies strict tool schemas to all tools or none; all tools are strict for this request.');
  }
  const choice = requested.choice;
  if (choice?.type === 'none') prepared.tool_choice = 'NONE';
  else if (choice?.type === 'required' || choice?.type === 'function' || (choice?.type === 'allowed' && choice.mode === 'required')) prepared.tool_choice = 'REQUIRED';
  prepared.tools = tools;
  return prepared;
}
