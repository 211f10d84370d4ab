import { answerLimit, type ChatRequest } from '../../core/chat.js';
import type { AnthropicRequest } from './anthropic-api.js';
import { convertToAnthropicMessages, type LoadImage } from './convert-to-anthropic-messages.js';
import { prepareAnthropicThinking } from './prepare-anthropic-thinking.js';
import { prepareAnthropicTools } from './prepare-anthropic-tools.js';
import { NO_ANSWER_EFFECT, type Warning } from '../../core/warnings.js';

/**
 * Anthropic requires `max_tokens`; OpenAI lets clients leave it out. 4096 is the largest output
 * every Claude model accepts (the Claude 3 Haiku and Opus limit), so the default is valid
 * whichever model a deployment names. Clients who want longer answers send max_tokens.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** OpenAI allows temperatures up to 2, Anthropic up to 1. */
const MAX_TEMPERATURE = 1;

/** Fields read below, or with no meaning upstream (streaming is the adapter's choice). */
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k',
  'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'user', 'n', 'reasoning_effort',
]);

/** With thinking on, Anthropic takes no temperature but 1, no top_k, and top_p from 0.95. */
const MIN_TOP_P_THINKING = 0.95;

export interface AnthropicRequestPlan {
  body: AnthropicRequest;
  /** The answer's JSON_RESPONSE_TOOL call is its text (see prepare-anthropic-tools.ts). */
  jsonResponse: boolean;
  /** Parameters that could not be honoured as sent, for `call.warn`. */
  warnings: Warning[];
}

function isNeutral(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}

/** False when the last assistant turn calls tools without starting with a thinking block, as Anthropic requires with thinking on. */
function thinkingLeadsToolTurn(messages: AnthropicRequest['messages']): boolean {
  const last = messages.findLast((m) => m.role === 'assistant');
  if (!last?.content.some((b) => b.type === 'tool_use')) return true;
  return last.content[0].type === 'thinking' || last.content[0].type === 'redacted_thinking';
}

/** A client's OpenAI chat request as the body of `POST /v1/messages`. Pure apart from loading images. */
export async function convertToAnthropicRequest(
  request: ChatRequest,
  options: { model: string; stream: boolean; loadImage: LoadImage; maxAnswerTokens?: number },
): Promise<AnthropicRequestPlan> {
  const warnings: Warning[] = [];
  const limit = answerLimit(request, options.maxAnswerTokens);
  let { thinking, maxTokens } = prepareAnthropicThinking(request.reasoning_effort, limit, warnings);
  const prompt = await convertToAnthropicMessages(request.messages, options.loadImage, { thinking: thinking !== undefined });
  if (thinking && !thinkingLeadsToolTurn(prompt.messages)) {
    // Anthropic refuses thinking when the turn whose tool calls are being answered does not start with its signed thinking.
    warnings.push({ code: 'dropped_parameter', message: "reasoning_effort was ignored: the assistant turn with the tool calls being answered has no thinking_blocks signed by provider anthropic, which it requires with thinking" });
    thinking = undefined;
    maxTokens = limit;
    for (const message of prompt.messages) if (message.role === 'assistant') message.content = message.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
  }
  const tools = prepareAnthropicTools(request);
  warnings.push(...prompt.warnings, ...tools.warnings);

  const body: AnthropicRequest = {
    model: options.model,
    max_tokens: maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: prompt.messages,
  };
  if (prompt.system) body.system = prompt.system;
  if (options.stream) body.stream = true;
  if (thinking) body.thinking = thinking;
  const dropWithThinking = (name: string): void => void warnings.push({ code: 'dropped_parameter', message: `${name} cannot be used with provider anthropic's extended thinking (reasoning_effort); it was ignored` });
  if (typeof request.temperature === 'number') {
    if (thinking && request.temperature !== 1) dropWithThinking('temperature');
    else {
      if (request.temperature > MAX_TEMPERATURE) warnings.push({ code: 'adjusted_parameter', message: `temperature ${request.temperature} is above provider anthropic's maximum; sent ${MAX_TEMPERATURE}` });
      body.temperature = Math.min(request.temperature, MAX_TEMPERATURE);
    }
  }
  if (typeof request.top_p === 'number') {
    if (thinking && request.top_p < MIN_TOP_P_THINKING) dropWithThinking('top_p below 0.95');
    else body.top_p = request.top_p;
  }
  // Not an OpenAI parameter, but Anthropic's own, sent by clients that know they talk to Claude.
  if (typeof request.top_k === 'number') {
    if (thinking) dropWithThinking('top_k');
    else body.top_k = request.top_k;
  }
  const stops = (typeof request.stop === 'string' ? [request.stop] : (request.stop ?? [])).filter((stop) => stop !== '');
  if (stops.length > 0) body.stop_sequences = stops;
  if (tools.tools) body.tools = tools.tools;
  if (tools.toolChoice) body.tool_choice = tools.toolChoice;
  if (typeof request.user === 'string' && request.user) body.metadata = { user_id: request.user };

  if (typeof request.n === 'number' && request.n > 1) warnings.push({ code: 'dropped_parameter', message: `n=${request.n} is not supported by provider anthropic; one choice is returned` });
  const ignored = Object.keys(request).filter((key) => !HANDLED.has(key) && !NO_ANSWER_EFFECT.has(key) && !isNeutral(request[key]));
  if (ignored.length > 0) warnings.push({ code: 'dropped_parameter', message: `parameters not supported by provider anthropic were ignored: ${ignored.join(', ')}` });
  return { body, jsonResponse: tools.jsonResponse, warnings: warnings.filter((w, i) => warnings.findIndex((o) => o.message === w.message) === i) };
}
