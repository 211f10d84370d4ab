import type { ChatCompletion, FinishReason, Usage } from '../core/chat.js';

interface ChatChunk {
  id: string;
  created: number;
  model: string;
  choices?: Array<{ index?: number; delta?: { content?: string | null }; finish_reason?: FinishReason | null }>;
  usage?: Usage | null;
}

/** A chat completion as OpenAI's legacy `text_completion`: each choice's content as its text. */
export function textCompletion(completion: ChatCompletion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: completion.id,
    object: 'text_completion',
    created: completion.created,
    model: completion.model,
    choices: completion.choices.map((choice) => ({
      text: typeof choice.message?.content === 'string' ? choice.message.content : '',
      index: choice.index,
      logprobs: choice.logprobs ?? null,
      finish_reason: choice.finish_reason ?? 'stop',
    })),
  };
  if (completion.usage) out.usage = completion.usage;
  return out;
}

/**
 * A chat chunk's JSON text as a legacy `text_completion` chunk's, or undefined for a chunk that
 * carries no text, finish or usage (the role-only first chunk).
 */
export function textCompletionChunk(chatChunk: string): string | undefined {
  const chunk = JSON.parse(chatChunk) as ChatChunk;
  const choices = (chunk.choices ?? []).map((choice, i) => ({ text: choice.delta?.content ?? '', index: choice.index ?? i, logprobs: null, finish_reason: choice.finish_reason ?? null }));
  if (!chunk.usage && choices.every((choice) => choice.text === '' && choice.finish_reason === null) && choices.length > 0) return undefined;
  const out: Record<string, unknown> = { id: chunk.id, object: 'text_completion', created: chunk.created, model: chunk.model, choices };
  if (chunk.usage) out.usage = chunk.usage;
  return JSON.stringify(out);
}
