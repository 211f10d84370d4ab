/** A copy-pasteable curl of a request (chat unless told); the key is masked so a pasted command leaks nothing. */
export function curlCommand(origin: string, key: string, body: Record<string, unknown>, path = '/v1/chat/completions'): string {
  const masked = key === 'openai' ? key : key.length <= 10 ? '••••' : `${key.slice(0, 5)}…${key.slice(-2)}`;
  const json = JSON.stringify(body, null, 2).replace(/'/g, "'\\''");
  return `curl ${origin}${path} \\\n  -H "Authorization: Bearer ${masked}" \\\n  -H "Content-Type: application/json" \\\n  -d '${json}'`;
}
