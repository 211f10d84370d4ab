/**
 * The 400s OpenAI answers for malformed `tools` and `tool_choice`, in its wording. The gateway
 * relays these fields to OpenAI-compatible upstreams as the client sent them, so the fake must
 * refuse what OpenAI refuses rather than fail on it.
 */
export interface ChatRequestProblem {
  message: string;
  param: string;
  code: 'invalid_type' | 'missing_required_parameter';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'an integer' : 'a decimal') : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function namedFunction(value: unknown, param: string): ChatRequestProblem | undefined {
  if (!isObject(value)) return { message: `Invalid type for '${param}': expected an object, but got ${kind(value)} instead.`, param, code: 'invalid_type' };
  if (value.function === undefined) return { message: `Missing required parameter: '${param}.function'.`, param: `${param}.function`, code: 'missing_required_parameter' };
  if (!isObject(value.function)) return { message: `Invalid type for '${param}.function': expected an object, but got ${kind(value.function)} instead.`, param: `${param}.function`, code: 'invalid_type' };
  if (typeof value.function.name !== 'string') {
    return value.function.name === undefined
      ? { message: `Missing required parameter: '${param}.function.name'.`, param: `${param}.function.name`, code: 'missing_required_parameter' }
      : { message: `Invalid type for '${param}.function.name': expected a string, but got ${kind(value.function.name)} instead.`, param: `${param}.function.name`, code: 'invalid_type' };
  }
  return undefined;
}

/** The first problem OpenAI would report in a chat request's tools, or undefined. */
export function chatToolsProblem(body: Record<string, unknown>): ChatRequestProblem | undefined {
  const { tools, tool_choice: choice } = body;
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) return { message: `Invalid type for 'tools': expected an array, but got ${kind(tools)} instead.`, param: 'tools', code: 'invalid_type' };
    for (const [i, tool] of tools.entries()) {
      const problem = namedFunction(tool, `tools[${i}]`);
      if (problem) return problem;
    }
  }
  if (isObject(choice)) return namedFunction(choice, 'tool_choice');
  return undefined;
}
