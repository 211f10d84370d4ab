import { asApiError } from '../core/as-api-error.js';
import type { ChatCompletion, Usage } from '../core/chat.js';
import type { EmbeddingResult } from '../core/embeddings.js';
import { ApiError } from '../core/errors.js';
import { plausibleCount, plausibleUsage } from '../core/plausible-usage.js';
import { providerSecrets, redactError } from '../providers/shared/redact-secrets.js';
import type { ChatResult, ChatStream, ProviderAdapter } from '../providers/types.js';

type Scrub = (error: unknown) => never;

/**
 * The adapter as routes see it, guarded against its upstream in one wrapper:
 *
 * - Whatever it throws has its provider's credentials scrubbed, the failures of a stream already
 *   under way included. An upstream may quote the key it was sent in an error event mid-stream
 *   (`data: {"error":{"message":"... sk-..."}}`); providers read those events into errors
 *   themselves, past the upstream door's redaction, so this is the one place all of them pass on
 *   their way to the client and the log.
 * - Its answers bill only plausible usage (core/plausible-usage.ts). An upstream that counts
 *   tokens below zero or past any request's size (a bug, or a hostile endpoint) would otherwise
 *   write that count into the ledger and drain a key's whole balance in one request; its usage is
 *   then treated as missing, and the gateway counts the request itself, as it does for upstreams
 *   that send none (chat answers, streamed or not, and embeddings). The answer then shows the
 *   usage billed, not the upstream's.
 */
export function guardedAdapter(adapter: ProviderAdapter): ProviderAdapter {
  const secrets = providerSecrets(adapter.config);
  const scrub: Scrub | undefined =
    secrets.length === 0 ? undefined : (error) => {
      throw error instanceof ApiError || mentions(error, secrets) ? redactError(asApiError(error), secrets) : error;
    };
  const out: ProviderAdapter = {
    config: adapter.config,
    chat: (call) => adapter.chat(call).then(checkedAnswer, scrub),
    stream: (call) => adapter.stream(call).then((stream) => guardedStream(stream, scrub), scrub),
  };
  if (adapter.embed) out.embed = (call) => adapter.embed!(call).then(checkedEmbedding, scrub);
  if (adapter.generateImage) out.generateImage = scrub ? (call) => adapter.generateImage!(call).catch(scrub) : (call) => adapter.generateImage!(call);
  if (adapter.speak) out.speak = scrub ? (call) => adapter.speak!(call).catch(scrub) : (call) => adapter.speak!(call);
  if (adapter.countTokens) out.countTokens = scrub ? (call) => adapter.countTokens!(call).catch(scrub) : (call) => adapter.countTokens!(call);
  if (adapter.close) out.close = () => adapter.close!();
  return out;
}

function mentions(error: unknown, secrets: readonly string[]): boolean {
  const text = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  return secrets.some((s) => text.includes(s));
}

/** The answer as it is, or without the usage refused: the route fills in the usage it bills, which is what the client sees. */
function checkedAnswer(result: ChatResult): ChatResult {
  if (result.usage === undefined || plausibleUsage(result.usage)) return result;
  const { usage: _refused, ...completion } = result.completion;
  return { ...result, usage: undefined, json: undefined, completion: completion as ChatCompletion };
}

/** An embedding's usage of 0 tokens is the embeddings route's sign to count the input itself. */
function checkedEmbedding(result: EmbeddingResult): EmbeddingResult {
  return plausibleCount(result.usage.prompt_tokens) ? result : { ...result, usage: { prompt_tokens: 0, total_tokens: 0 } };
}

/**
 * The same stream object (its symbol-keyed extras, such as relayed Responses events, stay where
 * routes look for them), whose usage is reported only when plausible and, where there are
 * credentials to scrub, whose iteration's failure is scrubbed, one `.catch` per batch read.
 */
function guardedStream(stream: ChatStream, scrub: Scrub | undefined): ChatStream {
  const usage = stream.usage.bind(stream);
  Object.defineProperty(stream, 'usage', {
    value: (): Usage | undefined => {
      const reported = usage();
      return reported === undefined || plausibleUsage(reported) ? reported : undefined;
    },
  });
  if (!scrub) return stream;
  const iterate = stream[Symbol.asyncIterator].bind(stream);
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: (): AsyncIterator<string[]> => {
      const inner = iterate();
      return {
        next: () => inner.next().catch(scrub),
        return: (value?: unknown) => (inner.return ? inner.return(value).catch(scrub) : Promise.resolve({ done: true, value: undefined })),
      };
    },
  });
  return stream;
}
