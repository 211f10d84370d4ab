/** An error's message followed by its causes, e.g. "fetch failed: getaddrinfo ENOTFOUND huggingface.co". */
export function describeError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  // A few levels are enough to reach the system error under library wrappers.
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !messages.includes(message)) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ') || 'unknown error';
}
