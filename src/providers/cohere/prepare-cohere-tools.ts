import { ApiError } from '../../core/errors.js';
import type { CohereChatRequest, CohereTool } from './cohere-api.js';
import { clientNames, type Warn } from '../../core/warnings.js';

type PreparedTools = Pick<CohereChatRequest, 'tools' | 'tool_choice' | 'strict_tools'>;

interface OpenAITool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

const invalid = (message: string, param: string): ApiError => new ApiError('invalid_request', message, { param });

/**
 * OpenAI's `tools` and `tool_choice` in Cohere's terms. Cohere's tool shape is OpenAI's without
 * `strict`, which becomes the request-wide `strict_tools`. Cohere's `tool_choice` has only
 * `REQUIRED` and `NONE` (`auto` is leaving it out), so a named function (or an `allowed_tools`
 * list) is honoured by offering only those tools: with `REQUIRED`, a call of the named function
 * is then the only possible answer. That rewrite is reported, since the model no longer sees the
 * other tools.
 */
export function prepareCohereTools(rawTools: unknown[] | null | undefined, toolChoice: unknown, warn: Warn): PreparedTools {
  const offered = (rawTools ?? []) as OpenAITool[];
  if (offered.length === 0) {
    if (toolChoice === 'required' || (typeof toolChoice === 'object' && toolChoice !== null)) {
      throw invalid("'tool_choice' requires 'tools' to be specified.", 'tool_choice');
    }
    return {};
  }
  let tools = offered.map((tool, i): CohereTool => {
    if (tool.type !== 'function' || typeof tool.function?.name !== 'string') {
      throw invalid(`Cohere supports only function tools; tools[${i}] is of type '${String(tool.type)}'.`, `tools[${i}]`);
    }
    const { name, description, parameters } = tool.function;
    const fn: CohereTool['function'] = { name, parameters: parameters ?? { type: 'object', properties: {} } };
    if (description !== undefined) fn.description = description;
    return { type: 'function', function: fn };
  });

  const prepared: PreparedTools = {};
  const strict = offered.filter((tool) => tool.function?.strict === true).length;
  if (strict > 0) {
    prepared.strict_tools = true;
    if (strict < offered.length) warn('adjusted_parameter', 'Cohere applies strict tool schemas to all tools or none; all tools are strict for this request.');
  }

  if (toolChoice === 'none') prepared.tool_choice = 'NONE';
  else if (toolChoice === 'required') prepared.tool_choice = 'REQUIRED';
  else if (typeof toolChoice === 'object' && toolChoice !== null) {
    const { names, required } = chosenTools(toolChoice as Record<string, unknown>);
    const missing = names.find((name) => !tools.some((tool) => tool.function.name === name));
    if (missing !== undefined) throw invalid(`'tool_choice' names the function '${missing}', which is not in 'tools'.`, 'tool_choice');
    tools = tools.filter((tool) => names.includes(tool.function.name));
    if (required) prepared.tool_choice = 'REQUIRED';
    warn('narrowed_tools', `Cohere cannot force a named tool; only ${clientNames(names)} ${names.length === 1 ? 'was' : 'were'} offered${required ? ', with tool_choice REQUIRED' : ''}.`);
  } else if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'auto') {
    throw invalid(`Invalid value for 'tool_choice': ${JSON.stringify(toolChoice)}.`, 'tool_choice');
  }
  prepared.tools = tools;
  return prepared;
}

/** The tools a `tool_choice` object allows, and whether one of them must be called. */
function chosenTools(choice: Record<string, unknown>): { names: string[]; required: boolean } {
  if (choice.type === 'function') {
    const name = (choice.function as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') return { names: [name], required: true };
  }
  if (choice.type === 'allowed_tools') {
    const allowed = choice.allowed_tools as { mode?: unknown; tools?: Array<{ function?: { name?: unknown } }> } | undefined;
    const names = (allowed?.tools ?? []).map((tool) => tool.function?.name);
    if (names.length > 0 && names.every((name): name is string => typeof name === 'string') && (allowed?.mode === 'auto' || allowed?.mode === 'required')) {
      return { names, required: allowed.mode === 'required' };
    }
  }
  throw invalid(`Invalid value for 'tool_choice': ${JSON.stringify(choice)}.`, 'tool_choice');
}
