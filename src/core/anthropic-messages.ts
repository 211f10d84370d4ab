/**
 * A Messages API request as its client sent it, carried beside the core chat request so an
 * Anthropic deployment can be sent the client's own body (cache_control, documents, exact tool
 * choice) instead of a translation of a translation. A symbol, so no other provider's JSON carries it.
 */
export const ANTHROPIC_MESSAGES: unique symbol = Symbol('opensq.anthropicMessages');

export interface AnthropicMessagesOrigin {
  /** The client's body without `stream` and `thinking`, and without thinking blocks in its history. */
  body: Record<string, unknown>;
  /** The client's `anthropic-beta` values, for the adapter to pass on those it allows. */
  betas: string[];
}
