import type { ChatCompletion, Usage } from '../../core/chat.js';
import type { LegacyCompletionBody } from '../../core/legacy-completion.js';
import type { ChatCall, ChatResult, ChatStream } from '../types.js';
import { malformedAnswer } from '../shared/malformed-answer.js';

interface TextChoice {
  index?: number;
  text?: string;
  finish_reason?: string | null;
  logprobs?: unknown;
}

interface TextCompletion {
  id?: string;
  choices?: TextChoice[];
  usage?: Usage | null;
}

/** The legacy body as the upstream gets it: the client's fields, the upstream's model name, the gateway's answer cap. */
export function legacyUpstreamBody(legacy: LegacyCompletionBody, call: ChatCall, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ...legacy, model: call.upstreamModel, stream };
  if (call.maxAnswerTokens !== undefined) body.max_tokens = Math.min(typeof legacy.max_tokens === 'number' ? legacy.max_tokens : Infinity, call.maxAnswerTokens);
  if (stream) body.stream_options = { ...(legacy.stream_options as object | undefined), include_usage: true };
  else delete body.stream_options;
  return body;
}

/** An upstream `text_completion` as the chat completion every encoder reads (each choice's text as its content). */
export function chatResultOfTextCompletion(text: string, call: ChatCall, provider: string): ChatResult {
  let parsed: TextCompletion;
  try {
    parsed = JSON.parse(text) as TextCompletion;
  } catch (cause) {
    throw malformedAnswer({ provider, what: 'an answer that is not JSON', body: text, cause });
  }
  if (!parsed || !Array.isArray(parsed.choices)) throw malformedAnswer({ provider, what: 'an answer without choices', body: text });
  const completion: ChatCompletion = {
    id: call.id,
    object: 'chat.completion',
    created: call.created,
    model: call.publicModel,
    choices: parsed.choices.map((choice, i) => ({
      index: choice.index ?? i,
      message: { role: 'assistant', content: choice.text ?? '' },
      finish_reason: choice.finish_reason ?? null,
      logprobs: choice.logprobs ?? null,
    })),
  };
  if (parsed.usage) completion.usage = parsed.usage;
  return { completion, usage: parsed.usage ?? undefined, upstreamId: typeof parsed.id === 'string' ? parsed.id : undefined };
}

/** A relayed stream of `text_completion` chunks as chat chunks (each text as a content delta). */
export function textChunksAsChat(relayed: ChatStream, call: ChatCall): ChatStream {
  const head = { id: call.id, object: 'chat.completion.chunk', created: call.created, model: call.publicModel };
  let text = '';
  async function* events(): AsyncGenerator<string[]> {
    for await (const batch of relayed) {
      yield batch.map((data) => {
        const chunk = JSON.parse(data) as TextCompletion;
        for (const choice of chunk.choices ?? []) text += choice.text ?? '';
        const out: Record<string, unknown> = {
          ...head,
          choices: (chunk.choices ?? []).map((choice, i) => ({ index: choice.index ?? i, delta: { content: choice.text ?? '' }, logprobs: choice.logprobs ?? null, finish_reason: choice.finish_reason ?? null })),
        };
        if (chunk.usage) out.usage = chunk.usage;
        return JSON.stringify(out);
      });
    }
  }
  return { ...relayed, [Symbol.asyncIterator]: events, completionText: () => text };
}
