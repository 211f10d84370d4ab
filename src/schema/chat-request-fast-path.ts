/**
 * The common, valid chat request checked by hand: true only for a body the chat request schema
 * certainly accepts, so the body can be used as it is, without zod's walk and copy of every
 * message. Anything unusual (a wrong type, an out-of-range number, a role it does not know)
 * answers false and takes the schema, which names the problem.
 */
export function isPlainChatRequest(body: Record<string, unknown>): boolean {
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) return false;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isPlainMessage(message)) return false;
  return (
    nullableBoolean(body.stream) &&
    nullableObject(body.stream_options) &&
    (body.stream_options == null || nullableBoolean((body.stream_options as Record<string, unknown>).include_usage, false)) &&
    nullableInt(body.max_tokens, 1) &&
    nullableInt(body.max_completion_tokens, 1) &&
    nullableNumber(body.temperature) &&
    nullableNumber(body.top_p) &&
    nullableInt(body.n, 1, 128) &&
    nullableInt(body.seed) &&
    nullableNumber(body.presence_penalty) &&
    nullableNumber(body.frequency_penalty) &&
    (nullableString(body.stop) || (Array.isArray(body.stop) && body.stop.every((s) => typeof s === 'string'))) &&
    (body.tools == null || (Array.isArray(body.tools) && body.tools.every(isTyped))) &&
    (nullableString(body.tool_choice) || isTyped(body.tool_choice)) &&
    (body.response_format == null || isTyped(body.response_format)) &&
    nullableString(body.user)
  );
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function isPlainMessage(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (typeof value.role !== 'string' || !ROLES.has(value.role)) return false;
  const content = value.content;
  if (content != null && typeof content !== 'string' && !(Array.isArray(content) && content.every(isTyped))) return false;
  if (value.name !== undefined && typeof value.name !== 'string') return false;
  if (value.tool_call_id !== undefined && typeof value.tool_call_id !== 'string') return false;
  const calls = value.tool_calls;
  return calls == null || (Array.isArray(calls) && calls.every(isPlainToolCall));
}

function isPlainToolCall(value: unknown): boolean {
  if (!isObject(value) || typeof value.id !== 'string' || (value.type !== undefined && typeof value.type !== 'string')) return false;
  const fn = value.function;
  return isObject(fn) && typeof fn.name === 'string' && typeof fn.arguments === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with a string `type`, as content parts, tools, tool_choice and response_format are. */
function isTyped(value: unknown): boolean {
  return isObject(value) && typeof value.type === 'string';
}

function nullableObject(value: unknown): boolean {
  return value == null || isObject(value);
}

function nullableString(value: unknown): boolean {
  return value == null || typeof value === 'string';
}

function nullableBoolean(value: unknown, nullable = true): boolean {
  return value === undefined || (nullable && value === null) || typeof value === 'boolean';
}

function nullableNumber(value: unknown): boolean {
  return value == null || Number.isFinite(value);
}

function nullableInt(value: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): boolean {
  return value == null || (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max);
}
