import type { ChatCompletion, Usage } from '../core/chat.js';
import { plausibleCount, plausibleUsage } from '../core/plausible-usage.js';
import type { ChatStream, ProviderAdapter } from '../providers/types.js';

/**
 * The adapter whose chat answers bill only plausible usage. An upstream that counts tokens below
 * zero or past any request's size (a bug, or a hostile endpoint) would otherwise write that count
 * into the ledger and drain a key's whole balance in one request; its usage is then treated as
 * missing, and the gateway counts the request itself, as it does for upstreams that send none
 * (chat answers, streamed or not, and embeddings). The answer then shows the usage billed, not the
 * upstream's.
 */
export function checkedUsageAdapter(adapter: ProviderAdapter): ProviderAdapter {
  const out: ProviderAdapter = {
    ...delegated(adapter),
    chat: (call) => adapter.chat(call).then((result) => (result.usage === undefined || plausibleUsage(result.usage) ? result : { ...result, usage: undefined, json: undefined, completion: withoutUsage(result.completion) })),
    stream: (call) => adapter.stream(call).then(checkedStream),
  };
  // An embedding's usage of 0 tokens is the embeddings route's sign to count the input itself.
  if (adapter.embed) out.embed = (call) => adapter.embed!(call).then((result) => (plausibleCount(result.usage.prompt_tokens) ? result : { ...result, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  return out;
}

/** The answer without the usage refused: the route fills in the usage it bills, which is what the client sees. */
function withoutUsage(completion: ChatCompletion): ChatCompletion {
  const { usage: _refused, ...rest } = completion;
  return rest as ChatCompletion;
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
