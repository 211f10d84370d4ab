import type { ChatHistoryItem } from 'node-llama-cpp';
import { answerLimit, type ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import type { ChatCall } from '../types.js';
import { countTokensPast } from './count-tokens-past.js';

/** node-llama-cpp tokenizes every stop sequence on the event loop before the first token: keep that work small. */
export const MAX_STOP_SEQUENCES = 16;
export const MAX_STOP_CHARS = 1024;

/** Refuses more stop sequences, or longer ones, than the local model reads. */
export function checkStopSequences(stop: ChatRequest['stop']): void {
  if (stop == null) return;
  const stops = typeof stop === 'string' ? [stop] : stop;
  if (stops.length > MAX_STOP_SEQUENCES) {
    throw new ApiError('invalid_request', `Invalid 'stop': local models read at most ${MAX_STOP_SEQUENCES} stop sequences, got ${stops.length}.`, { param: 'stop' });
  }
  const long = stops.findIndex((s) => s.length > MAX_STOP_CHARS);
  if (long !== -1) {
    throw new ApiError('invalid_request', `Invalid 'stop': local models read stop sequences of at most ${MAX_STOP_CHARS} characters; stop[${long}] has ${stops[long].length}.`, {
      param: typeof stop === 'string' ? 'stop' : `stop[${long}]`,
    });
  }
}

export interface PromptFit {
  history: readonly ChatHistoryItem[];
  tokenize: (text: string) => number;
  contextSize: number;
}

/**
 * Refuses, as OpenAI does, a conversation whose text alone fills the context: node-llama-cpp would
 * cut it silently (answering a prompt the client never sent, and metering none of it), after
 * tokenizing all of it on the event loop.
 */
export async function checkPromptFits({ history, tokenize, contextSize }: PromptFit): Promise<void> {
  const texts: string[] = [];
  for (const item of history) {
    for (const text of item.type === 'model' ? item.response : [item.text]) if (typeof text === 'string') texts.push(text);
  }
  const counted = await countTokensPast({ tokenize, texts, limit: contextSize - 1 });
  if (counted === undefined) return;
  throw new ApiError(
    'context_length_exceeded',
    `This model's maximum context length is ${contextSize} tokens. However, your messages resulted in at least ${counted} tokens. Please reduce the length of the messages.`,
    { param: 'messages' },
  );
}

/** Reports an answer limit past the context, which generation lowers to the context's size. */
export function reportAnswerLimit({ body, maxAnswerTokens, warn }: ChatCall, contextSize: number): void {
  const requested = answerLimit(body, maxAnswerTokens);
  if (requested !== undefined && requested > contextSize) {
    warn('adjusted_parameter', `the answer limit ${requested} is past the model's context of ${contextSize} tokens; it was lowered to ${contextSize}`);
  }
}
