import { randomInt } from 'node:crypto';
import type { ChatHistoryItem, LlamaChatResponse, LlamaContextSequence, LlamaGrammar } from 'node-llama-cpp';
import { answerLimit, makeUsage, type ChatRequest, type StreamPart } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import type { ChatCall } from '../types.js';
import { describeError } from './describe-error.js';
import type { LoadedModel } from './local-runtime.js';

const DEFAULT_MAX_TOKENS = 256;

export interface LocalGeneration {
  loaded: LoadedModel;
  call: ChatCall;
  grammar: LlamaGrammar | undefined;
  /** The conversation as node-llama-cpp reads it (convert-to-llama-history.ts). */
  history: ChatHistoryItem[];
  /** The provider's name, for errors. */
  provider: string;
}

type TextPart = Extract<StreamPart, { type: 'text' | 'reasoning' }>;

/**
 * Generates an answer as typed stream parts: text as it comes, batched per pull, then the finish
 * reason and usage counted by the sequence's token meter. Waits for a free context sequence first.
 * Generation stops when the client's signal aborts or the consumer stops iterating.
 */
export async function* generateLocalParts({ loaded, call, grammar, history, provider }: LocalGeneration): AsyncGenerator<StreamPart[]> {
  const abort = new AbortController();
  const onClientAbort = (): void => abort.abort(call.signal.reason);
  if (call.signal.aborted) onClientAbort();
  else call.signal.addEventListener('abort', onClientAbort, { once: true });
  try {
    let sequence: LlamaContextSequence;
    try {
      sequence = await loaded.sequences.acquire(abort.signal);
    } catch {
      throw aborted(provider);
    }
    try {
      yield* generate(loaded, sequence, { call, grammar, history, provider }, abort);
    } finally {
      loaded.sequences.release(sequence);
    }
  } finally {
    call.signal.removeEventListener('abort', onClientAbort);
  }
}

async function* generate(
  loaded: LoadedModel,
  sequence: LlamaContextSequence,
  { call, grammar, history, provider }: Omit<LocalGeneration, 'loaded'>,
  abort: AbortController,
): AsyncGenerator<StreamPart[]> {
  // Each request starts from an empty sequence so the meter counts exactly this prompt.
  await sequence.clearHistory();
  const chat = new loaded.lib.LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper });
  const before = sequence.tokenMeter.getState();
  let pending: TextPart[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const push = (type: TextPart['type'], text: string): void => {
    if (!text) return;
    const last = pending.at(-1);
    if (last?.type === type) last.text += text;
    else pending.push({ type, text });
    wake?.();
  };

  const outcome: Promise<{ response: LlamaChatResponse } | { error: unknown }> = chat
    .generateResponse(history, {
      ...sampling(call.body, loaded.contextSize, call.maxAnswerTokens),
      grammar,
      signal: abort.signal,
      // An abort mid-answer ends it with what was generated instead of throwing.
      stopOnAbortSignal: true,
      onResponseChunk: (chunk) => push(chunk.type === 'segment' ? 'reasoning' : 'text', chunk.text),
    })
    .then(
      (response) => ({ response }),
      (error: unknown) => ({ error }),
    )
    .finally(() => {
      settled = true;
      wake?.();
    });

  try {
    while (!settled || pending.length > 0) {
      if (pending.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const batch = pending;
      pending = [];
      yield batch;
    }
    const result = await outcome;
    if ('error' in result) {
      if (abort.signal.aborted) throw aborted(provider);
      throw new UpstreamError('upstream_error', `local model ${call.upstreamModel} failed: ${describeError(result.error)}`, {
        provider,
        cause: result.error,
      });
    }
    const used = sequence.tokenMeter.diff(before);
    const metadata = result.response.metadata;
    // A stop trigger is the text of one of the client's stop sequences (tokens only for the model's own).
    const stopSequence = metadata.stopReason === 'customStopTrigger' ? metadata.customStopTrigger.filter((t) => typeof t === 'string').join('') : undefined;
    yield [
      { type: 'finish', reason: metadata.stopReason === 'maxTokens' ? 'length' : 'stop', ...(stopSequence ? { stopSequence } : {}) },
      { type: 'usage', usage: makeUsage(used.usedInputTokens, used.usedOutputTokens) },
    ];
  } finally {
    // Reached early when the consumer stops iterating: stop generating and let the sequence settle before reuse.
    abort.abort();
    await outcome;
    chat.dispose();
  }
}

/** OpenAI's sampling parameters in node-llama-cpp's terms, with OpenAI's defaults. */
function sampling(body: ChatRequest, contextSize: number, cap: number | undefined) {
  const requested = answerLimit(body, cap) ?? DEFAULT_MAX_TOKENS;
  const stops = (typeof body.stop === 'string' ? [body.stop] : (body.stop ?? [])).filter((stop) => stop !== '');
  return {
    maxTokens: Math.max(1, Math.min(requested, contextSize)),
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? undefined,
    // llama.cpp's own default seed is fixed, which would make every unseeded answer the same.
    seed: body.seed ?? randomInt(2 ** 31),
    customStopTriggers: stops.length > 0 ? stops : undefined,
  };
}

function aborted(provider: string): UpstreamError {
  return new UpstreamError('upstream_timeout', `request to provider ${provider} was aborted`, { provider, status: 499 });
}
