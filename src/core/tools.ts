import { ApiError } from './errors.js';

/** A function the model may call, as every translating provider receives it (the Vercel AI SDK's function tool). */
export interface FunctionTool {
  name: string;
  description?: string;
  /** The arguments' JSON Schema; undefined when the client sent none (a function without parameters). */
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

/** OpenAI's `tool_choice`, typed: `allowed` is `{type: "allowed_tools"}`, limiting the callable functions to `names`. */
export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'function'; name: string }
  | { type: 'allowed'; mode: 'auto' | 'required'; names: string[] };

/**
 * The request's `tools` and `tool_choice`, read once at validation. Only OpenAI-wire upstreams (the
 * relay, which sends the client's own `tools` and `tool_choice` unchanged) can take a tool that is
 * not a function (`web_search`, `custom`, ...); every translating provider refuses it the same way,
 * through `requireFunctionTools`.
 */
export interface ChatTools {
  functions: FunctionTool[];
  /** Undefined when the client left it out: the provider's default, which is `auto` everywhere. */
  choice?: ToolChoice;
  /** The first tool (or tool choice) that is not a function: its type, the parameter, and its place in `tools`. */
  nonFunction?: { type: string; param: 'tools' | 'tool_choice'; index?: number };
}

/** Where a validated request keeps its ChatTools: a symbol, so the relay's JSON never carries it. */
export const CHAT_TOOLS: unique symbol = Symbol('opensq.chatTools');

const NO_TOOLS: ChatTools = Object.freeze({ functions: Object.freeze([]) as unknown as FunctionTool[] });

const invalid = (message: string, param: string): ApiError => new ApiError('invalid_request', message, { param });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function functionTool(value: Record<string, unknown>, param: string): FunctionTool {
  const fn = value.function;
  if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') throw invalid(`Missing required parameter: '${param}.function.name'.`, `${param}.function.name`);
  const tool: FunctionTool = { name: fn.name };
  if (typeof fn.description === 'string') tool.description = fn.description;
  if (fn.parameters !== undefined && fn.parameters !== null) {
    if (!isObject(fn.parameters)) throw invalid(`Invalid type for '${param}.function.parameters': expected an object (a JSON Schema).`, `${param}.function.parameters`);
    tool.parameters = fn.parameters;
  }
  if (fn.strict === true) tool.strict = true;
  return tool;
}

function choiceOf(value: unknown, tools: ChatTools): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (typeof value === 'string') throw invalid(`Invalid value for 'tool_choice': expected none, auto, required or an object, got '${value.slice(0, 40)}'.`, 'tool_choice');
  const choice = value as Record<string, unknown>;
  if (choice.type === 'function') {
    const name = isObject(choice.function) ? choice.function.name : undefined;
    if (typeof name !== 'string') throw invalid("Missing required parameter: 'tool_choice.function.name'.", 'tool_choice.function.name');
    return { type: 'function', name };
  }
  if (choice.type === 'allowed_tools') {
    const allowed = choice.allowed_tools;
    if (!isObject(allowed) || (allowed.mode !== 'auto' && allowed.mode !== 'required') || !Array.isArray(allowed.tools)) {
      throw invalid("Invalid value for 'tool_choice.allowed_tools': expected a mode of auto or required and a list of tools.", 'tool_choice.allowed_tools');
    }
    const names: string[] = [];
    for (const [i, tool] of allowed.tools.entries()) {
      const param = `tool_choice.allowed_tools.tools[${i}]`;
      if (!isObject(tool) || typeof tool.type !== 'string') throw invalid(`Invalid value for '${param}': expected a tool.`, param);
      if (tool.type !== 'function') tools.nonFunction ??= { type: tool.type, param: 'tool_choice' };
      else names.push(functionTool(tool, param).name);
    }
    if (allowed.mode === 'required' && names.length === 0 && !tools.nonFunction) {
      throw invalid("Invalid value for 'tool_choice.allowed_tools.tools': a required call needs at least one function to allow.", 'tool_choice.allowed_tools.tools');
    }
    return { type: 'allowed', mode: allowed.mode, names };
  }
  tools.nonFunction ??= { type: String(choice.type), param: 'tool_choice' };
  return undefined;
}

/**
 * Reads a request's `tools` and `tool_choice` (already shaped by the schema) into ChatTools, and
 * refuses what no upstream would take: a function without a name, a choice that names a function
 * not offered, or one that needs tools when there are none.
 */
export function readChatTools(rawTools: readonly unknown[] | null | undefined, rawChoice: unknown): ChatTools {
  if ((rawTools === undefined || rawTools === null || rawTools.length === 0) && (rawChoice === undefined || rawChoice === null)) return NO_TOOLS;
  const tools: ChatTools = { functions: [] };
  for (const [i, tool] of (rawTools ?? []).entries()) {
    const value = tool as Record<string, unknown>;
    if (value.type === 'function') tools.functions.push(functionTool(value, `tools[${i}]`));
    else tools.nonFunction ??= { type: String(value.type), param: 'tools', index: i };
  }
  const choice = choiceOf(rawChoice, tools);
  if (choice) tools.choice = choice;
  if (!rawTools?.length && (choice?.type === 'required' || choice?.type === 'function' || choice?.type === 'allowed')) {
    throw invalid("'tool_choice' requires 'tools'.", 'tool_choice');
  }
  if (!tools.nonFunction) {
    const named = choice?.type === 'function' ? [choice.name] : choice?.type === 'allowed' ? choice.names : [];
    const missing = named.find((name) => !tools.functions.some((fn) => fn.name === name));
    if (missing !== undefined) throw invalid(`'tool_choice' names the function ${JSON.stringify(missing.slice(0, 64))}, which is not in 'tools'.`, 'tool_choice');
  }
  return tools;
}

/** The request's ChatTools: read at validation, or now for a request built in code (which providers must not change). */
export function chatTools(request: { tools?: unknown[] | null; tool_choice?: unknown; [CHAT_TOOLS]?: ChatTools }): ChatTools {
  return request[CHAT_TOOLS] ?? readChatTools(request.tools, request.tool_choice);
}

/**
 * The one answer every translating provider gives to a tool that is not a function: a 400 naming
 * its type. OpenAI-compatible deployments relay such tools as sent.
 */
export function requireFunctionTools(tools: ChatTools, provider: string): void {
  const other = tools.nonFunction;
  if (!other) return;
  throw new ApiError(
    'unsupported_parameter',
    `${other.index === undefined ? 'tool_choice names a tool' : `tools[${other.index}] is a tool`} of type ${JSON.stringify(other.type.slice(0, 40))}: provider ${provider} takes function tools only (OpenAI-compatible deployments take every tool type).`,
    { param: other.param },
  );
}

/** The functions a model may call under `choice`: those it names, else all of them (none for `none`). */
export function callableFunctions(tools: ChatTools): FunctionTool[] {
  const choice = tools.choice;
  if (choice?.type === 'function') return tools.functions.filter((fn) => fn.name === choice.name);
  if (choice?.type === 'allowed') return tools.functions.filter((fn) => choice.names.includes(fn.name));
  return tools.functions;
}
