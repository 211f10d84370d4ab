import { createHash } from 'node:crypto';

/**
 * A Messages API request as its client sent it, carried beside the core chat request so an
 * Anthropic deployment can be sent the client's own body (cache_control, documents, exact tool
 * choice) instead of a translation of a translation. A symbol, so no other provider's JSON carries it.
 */
export const ANTHROPIC_MESSAGES: unique symbol = Symbol('opensq.anthropicMessages');

export interface AnthropicMessagesOrigin {
  /** The client's body without `stream`; the Anthropic adapter decides what of its `thinking` and thinking blocks to send. */
  body: Record<string, unknown>;
  /** The client's `anthropic-beta` values, for the adapter to pass on those it allows. */
  betas: string[];
  /** The client turned extended thinking on: the answer's reasoning is written as thinking blocks, else left out, as Anthropic does. */
  thinking: boolean;
}

/**
 * Thinking blocks the gateway writes for models other than Anthropic's are signed with this prefix
 * and the SHA-256 of their text, so one sent back is recognised: its text goes back to the model as
 * its reasoning, and it never reaches Anthropic, which would reject a signature it did not issue.
 * A checksum, not a secret: it tells the gateway's blocks from others' (Anthropic's, or one whose
 * text was edited) but authenticates nothing — a client could compute it, and gains no more than it
 * could by writing the assistant turn itself, which is why it is enough here.
 */
const SIGNATURE_PREFIX = 'opensq.v1.';

/** A signer for one thinking block, fed its text piece by piece as it streams. */
export interface ThinkingSigner {
  update(text: string): void;
  signature(): string;
}

export function thinkingSigner(): ThinkingSigner {
  const hash = createHash('sha256');
  return {
    update: (text) => void hash.update(text),
    signature: () => SIGNATURE_PREFIX + hash.digest('base64url'),
  };
}

export function signThinking(text: string): string {
  const signer = thinkingSigner();
  signer.update(text);
  return signer.signature();
}

/** True when the signature is written as the gateway writes its own, whether or not it matches the text: such a block is never Anthropic's. */
export function isGatewaySignature(signature: unknown): boolean {
  return typeof signature === 'string' && signature.startsWith(SIGNATURE_PREFIX);
}

/** True when the signature is the gateway's own for exactly this text. */
export function isGatewayThinking(text: string, signature: unknown): boolean {
  return typeof signature === 'string' && signature.startsWith(SIGNATURE_PREFIX) && signature === signThinking(text);
}
