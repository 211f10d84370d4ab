import type { BuiltinToolCalls } from '../../core/builtin-tool-calls.js';

/** Calls the client made itself (its functions and custom tools) or to be run by the client: not billed by OpenAI per call. */
const NOT_BUILTIN: ReadonlySet<string> = new Set(['function_call', 'custom_tool_call', 'computer_call', 'local_shell_call', 'shell_call', 'apply_patch_call']);

/**
 * The built-in tool calls in a Response's `output` (`web_search_call`, `file_search_call`,
 * `code_interpreter_call`, `image_generation_call`, `mcp_call`, ...), by kind without `_call`;
 * undefined when there are none (the common case: nothing allocated).
 */
export function countBuiltinToolCalls(output: unknown): BuiltinToolCalls | undefined {
  if (!Array.isArray(output)) return undefined;
  let counts: Record<string, number> | undefined;
  for (const item of output as Array<{ type?: unknown } | null>) {
    const type = item?.type;
    if (typeof type !== 'string' || !type.endsWith('_call') || NOT_BUILTIN.has(type)) continue;
    const kind = type.slice(0, -'_call'.length);
    counts ??= {};
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
