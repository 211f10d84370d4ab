/**
 * What Cohere documents as strings, read from values an upstream may send in any shape: an
 * error (a string; an object's `message`; else its JSON) and tool-call arguments (a string as
 * it is; an object or number as its JSON, which is what OpenAI clients parse `function.arguments` as).
 */
export function cohereErrorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(error) ?? String(error);
}

/** Tool-call arguments as the JSON text OpenAI's `function.arguments` holds; '' for none. */
export function cohereArgumentsText(args: unknown): string {
  if (args === undefined || args === null) return '';
  return typeof args === 'string' ? args : JSON.stringify(args);
}
