/**
 * Gemini's thought signatures ride in the tool call id. Gemini 3 refuses a conversation whose
 * function calls come back without the `thoughtSignature` it gave them, and OpenAI clients echo
 * a tool call's `id`, `type` and `function` only — so the id is the one field sure to return. The
 * marker is LiteLLM's (`<id>__thought__<signature>`); the signature's base64 is written as
 * base64url, so the id stays within `[A-Za-z0-9_-]` (what Anthropic requires of ids, should the
 * conversation move there).
 */
const MARK = '__thought__';
/** A signature that is not plain base64 (never seen) travels as the base64url of its UTF-8 bytes. */
const RAW_MARK = '__thoughtraw__';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function toolCallId(id: string, signature: string | undefined): string {
  if (!signature) return id;
  if (BASE64.test(signature) && signature.length % 4 === 0) {
    return `${id}${MARK}${signature.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`;
  }
  return `${id}${RAW_MARK}${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** A tool call id as the client sent it back: the id, and the signature it carries if any. */
export function splitToolCallId(value: string): { id: string; signature?: string } {
  const raw = value.indexOf(RAW_MARK);
  if (raw >= 0) return { id: value.slice(0, raw), signature: Buffer.from(value.slice(raw + RAW_MARK.length), 'base64url').toString('utf8') };
  const at = value.indexOf(MARK);
  if (at < 0) return { id: value };
  const url = value.slice(at + MARK.length);
  const signature = url.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (url.length % 4)) % 4);
  return { id: value.slice(0, at), signature };
}
