import type { CohereChatResponse } from './cohere-api.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isListOfObjects = (value: unknown): boolean => Array.isArray(value) && value.every(isObject);

/** Whether a finish reason is one Cohere could send: a string, or none. */
export const isCohereFinishReason = (reason: unknown): reason is string | null | undefined => reason === undefined || reason === null || typeof reason === 'string';

/**
 * What makes a parsed, non-streamed Cohere chat answer unreadable, or undefined when it can be
 * read: no message object, content or tool calls that are not lists of objects, a finish reason
 * that is not a string. The converter trusts these shapes; an upstream that breaks them is a
 * malformed answer (502), not a failure of the gateway's own (500).
 */
export function cohereAnswerProblem(answer: CohereChatResponse): string | undefined {
  if (!isObject(answer) || !isObject(answer.message)) return 'a chat answer without a message';
  const { content, tool_calls: calls } = answer.message;
  if (content !== undefined && !isListOfObjects(content)) return 'a chat answer whose content is not a list of objects';
  if (calls !== undefined && !isListOfObjects(calls)) return 'a chat answer whose tool calls are not a list of objects';
  if (!isCohereFinishReason(answer.finish_reason)) return 'a chat answer whose finish reason is not a string';
  return undefined;
}
