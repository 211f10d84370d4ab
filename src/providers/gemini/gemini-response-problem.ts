import type { GenerateContentResponse } from './gemini-api.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What makes a parsed `GenerateContentResponse` (a whole answer, or one event of a stream)
 * unreadable, or undefined when it can be read: candidates that are not a list of objects, parts
 * that are not a list of objects, a finish reason that is not a string, a function call without a
 * name. The converters trust these shapes; an upstream that breaks them is a malformed answer (502),
 * not a failure of the gateway's own (500).
 */
export function geminiResponseProblem(response: GenerateContentResponse): string | undefined {
  const candidates: unknown = response.candidates;
  if (candidates === undefined) return undefined;
  if (!Array.isArray(candidates)) return 'candidates that are not a list';
  for (const candidate of candidates as unknown[]) {
    if (!isObject(candidate)) return 'a candidate that is not an object';
    if (candidate.finishReason !== undefined && typeof candidate.finishReason !== 'string') return 'a finish reason that is not a string';
    const parts: unknown = isObject(candidate.content) ? candidate.content.parts : undefined;
    if (parts === undefined) continue;
    if (!Array.isArray(parts) || !parts.every(isObject)) return 'parts that are not a list of objects';
    for (const part of parts) {
      const call = part.functionCall;
      if (call !== undefined && !(isObject(call) && typeof call.name === 'string' && (call.id === undefined || typeof call.id === 'string'))) return 'a function call without a name';
    }
  }
  return undefined;
}
