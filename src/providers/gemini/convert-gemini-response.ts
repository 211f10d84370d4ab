import type { ChatCompletion, ToolCall, Usage } from '../../core/chat.js';
import { UpstreamError } from '../../core/errors.js';
import { ToolCallNumbering, convertGeminiParts } from './convert-gemini-parts.js';
import { convertGeminiUsage } from './convert-gemini-usage.js';
import type { GeminiCandidate, GenerateContentResponse } from './gemini-api.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

export interface GeminiAnswerContext {
  /** The answer's id and creation time, from the call. */
  id: string;
  created: number;
  /** The public model id the client asked for. */
  model: string;
  provider: string;
}

type Choice = ChatCompletion['choices'][number];

function choiceOf(candidate: GeminiCandidate, index: number, calls: ToolCallNumbering): Choice {
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of convertGeminiParts(candidate.content?.parts, calls)) {
    if (part.type === 'text') content += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call') toolCalls.push({ id: part.id!, type: 'function', function: { name: part.name!, arguments: part.arguments } });
  }
  const message: Choice['message'] = { role: 'assistant', content: content || (toolCalls.length > 0 ? null : ''), refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const finish = mapGeminiFinishReason(candidate.finishReason ?? 'STOP', toolCalls.length > 0);
  return { index, message, logprobs: null, finish_reason: finish };
}

/**
 * A unary `GenerateContentResponse` as a `chat.completion`, one choice per candidate. A prompt
 * Gemini refused to answer (no candidates, only `promptFeedback`) is an empty answer finished by
 * `content_filter`, as OpenAI reports its own filtered prompts.
 */
export function convertGeminiResponse(response: GenerateContentResponse, ctx: GeminiAnswerContext): { completion: ChatCompletion; usage: Usage | undefined } {
  const candidates = [...(response.candidates ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const calls = new ToolCallNumbering(ctx.id);
  let choices: Choice[];
  if (candidates.length > 0) choices = candidates.map((candidate, index) => choiceOf(candidate, index, calls));
  else if (response.promptFeedback) {
    choices = [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: 'content_filter' }];
  } else {
    throw new UpstreamError('upstream_error', `provider ${ctx.provider} sent an answer without candidates`, { provider: ctx.provider, upstreamBody: JSON.stringify(response) });
  }
  const usage = response.usageMetadata ? convertGeminiUsage(response.usageMetadata) : undefined;
  const completion: ChatCompletion = { id: ctx.id, object: 'chat.completion', created: ctx.created, model: ctx.model, choices };
  if (usage) completion.usage = usage;
  return { completion, usage };
}
