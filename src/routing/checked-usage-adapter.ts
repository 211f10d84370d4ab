import type { Usage } from '../core/chat.js';
import type { ChatStream, ProviderAdapter } from '../providers/types.js';

/** More tokens than any one request reads or writes: a count above it is a broken upstream, not an answer. */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;

const plausibleCount = (n: unknown): boolean => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_PLAUSIBLE_TOKENS);

/** Whether an upstream's usage can be billed: every count it bills by a whole number from 0 to MAX_PLAUSIBLE_TOKENS. */
export function plausibleUsage(usage: Usage): boolean {
  const details = usage.prompt_tokens_details;
  return (
    plausibleCount(usage.prompt_tokens) &&
    plausibleCount(usage.completion_tokens) &&
    plausibleCount(details?.cached_tokens) &&
    plausibleCount(details?.cache_creation_tokens)
  );
}

/**
 * The adapter whose chat answers bill only plausible usage. An upstream that counts tokens below
 * zero or past any request's size (a bug, or a hostile endpoint) would otherwise write that count
 * into the ledger and drain a key's whole balance in one request; its usage is then treated as
 * missing, and the gateway counts the request itself, as it does for upstreams that send none
 * (chat answers, streamed or not, and embeddings).
 */
export function checkedUsageAdapter(adapter: ProviderAdapter): ProviderAdapter {
  const out: ProviderAdapter = {
    ...delegated(adapter),
    chat: (call) => adapter.chat(call).then((result) => (result.usage === undefined || plausibleUsage(result.usage) ? result : { ...result, usage: undefined, json: undefined })),
    stream: (call) => adapter.stream(call).then(checkedStream),
  };
  // An embedding's usage of 0 tokens is the embeddings route's sign to count the input itself.
  if (adapter.embed) out.embed = (call) => adapter.embed!(call).then((result) => (plausibleCount(result.usage.prompt_tokens) ? result : { ...result, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  return out;
}

/** The adapter's own methods, bound, for a wrapper to override some of. */
function delegated(adapter: ProviderAdapter): ProviderAdapter {
  const out: ProviderAdapter = { config: adapter.config, chat: (call) => adapter.chat(call), stream: (call) => adapter.stream(call) };
  if (adapter.embed) out.embed = (call) => adapter.embed!(call);
  if (adapter.generateImage) out.generateImage = (call) => adapter.generateImage!(call);
  if (adapter.speak) out.speak = (call) => adapter.speak!(call);
  if (adapter.countTokens) out.countTokens = (call) => adapter.countTokens!(call);
  if (adapter.close) out.close = () => adapter.close!();
  return out;
}

/** The same stream object, whose usage is reported only when plausible. */
function checkedStream(stream: ChatStream): ChatStream {
  const usage = stream.usage.bind(stream);
  Object.defineProperty(stream, 'usage', {
    value: (): Usage | undefined => {
      const reported = usage();
      return reported === undefined || plausibleUsage(reported) ? reported : undefined;
    },
  });
  return stream;
}
