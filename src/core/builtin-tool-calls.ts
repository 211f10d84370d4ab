import type { Usage } from './chat.js';
import { RESPONSES_ORIGIN, type WithResponsesOrigin } from './responses-origin.js';

/**
 * The calls an answer made to the provider's own (built-in) tools, by kind (`web_search`,
 * `file_search`, `code_interpreter`, ...): the provider bills them apart from tokens. Carried on the
 * answer's usage under a symbol, so no client's JSON carries it.
 */
export const BUILTIN_TOOL_CALLS: unique symbol = Symbol('opensq.builtinToolCalls');

export type BuiltinToolCalls = Readonly<Record<string, number>>;

export type WithBuiltinToolCalls = Usage & { [BUILTIN_TOOL_CALLS]?: BuiltinToolCalls };

/** Tools the client runs itself: the provider does not bill a call to them. */
const CLIENT_TOOLS: ReadonlySet<string> = new Set(['function', 'custom']);

/**
 * Whether a Responses request declares built-in tools, and the most calls to them it allows
 * (`max_tool_calls`, undefined when it sets none); undefined for a request with none.
 */
export function builtinToolsAsked(body: object): { maxCalls: number | undefined } | undefined {
  const origin = (body as WithResponsesOrigin)[RESPONSES_ORIGIN]?.body;
  const tools = origin?.tools;
  if (!Array.isArray(tools) || !tools.some((tool: { type?: unknown } | null) => typeof tool?.type === 'string' && !CLIENT_TOOLS.has(tool.type))) return undefined;
  const max = origin?.max_tool_calls;
  return { maxCalls: typeof max === 'number' && Number.isInteger(max) && max >= 0 ? max : undefined };
}
