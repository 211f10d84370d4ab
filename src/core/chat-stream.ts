import type { BuiltinToolCalls } from './builtin-tool-calls.js';
import type { Usage } from './chat.js';

/**
 * A streamed answer already encoded as OpenAI `chat.completion.chunk` JSON texts, batched per
 * upstream read so the route can write each batch at once. Iteration throws an ApiError if the
 * upstream fails mid-stream.
 */
export interface ChatStream extends AsyncIterable<string[]> {
  /** Usage once iteration has ended: upstream's own, or counted with a tokenizer. */
  usage(): Usage | undefined;
  /**
   * The client asked for usage in the stream, and the upstream's was refused as impossible
   * (core/plausible-usage.ts) and left out: the stream's end carries the usage billed instead.
   */
  usageOwed?(): boolean;
  /** The generated text, for counting tokens when the upstream sent no usage. */
  completionText(): string;
  /** The upstream's own id for the answer, once a chunk has come, when the chunks carry ours. */
  upstreamId?(): string | undefined;
  /** Calls to the provider's built-in tools the answer started, also when it ended early (they are billed all the same). */
  builtinToolCalls?(): BuiltinToolCalls | undefined;
}
