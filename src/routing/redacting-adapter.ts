import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import { providerSecrets, redactError } from '../providers/shared/redact-secrets.js';
import type { ChatStream, ProviderAdapter } from '../providers/types.js';

/**
 * The adapter as routes see it: whatever it throws has its provider's credentials scrubbed, the
 * failures of a stream already under way included. An upstream may quote the key it was sent in
 * an error event mid-stream (`data: {"error":{"message":"... sk-..."}}`); providers read those
 * events into errors themselves, past the upstream door's redaction, so this is the one place all
 * of them pass on their way to the client and the log.
 */
export function redactingAdapter(adapter: ProviderAdapter): ProviderAdapter {
  const secrets = providerSecrets(adapter.config);
  if (secrets.length === 0) return adapter;
  const scrub = (error: unknown): never => {
    throw error instanceof ApiError || mentions(error, secrets) ? redactError(asApiError(error), secrets) : error;
  };
  const wrapped: ProviderAdapter = {
    config: adapter.config,
    chat: (call) => adapter.chat(call).catch(scrub),
    stream: (call) => adapter.stream(call).then((stream) => redactingStream(stream, scrub), scrub),
  };
  if (adapter.embed) wrapped.embed = (call) => adapter.embed!(call).catch(scrub);
  if (adapter.generateImage) wrapped.generateImage = (call) => adapter.generateImage!(call).catch(scrub);
  if (adapter.speak) wrapped.speak = (call) => adapter.speak!(call).catch(scrub);
  if (adapter.countTokens) wrapped.countTokens = (call) => adapter.countTokens!(call).catch(scrub);
  if (adapter.close) wrapped.close = () => adapter.close!();
  return wrapped;
}

function mentions(error: unknown, secrets: readonly string[]): boolean {
  const text = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
  return secrets.some((s) => text.includes(s));
}

/**
 * The same stream object (its symbol-keyed extras, such as relayed Responses events, stay where
 * routes look for them); only a failure of its iteration is scrubbed, one `.catch` per batch read.
 */
function redactingStream(stream: ChatStream, scrub: (error: unknown) => never): ChatStream {
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
