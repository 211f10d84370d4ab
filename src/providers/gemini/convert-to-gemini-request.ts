import { answerLimit, type ChatRequest } from '../../core/chat.js';
import { type GeminiContentsContext, convertToGeminiContents } from './convert-to-gemini-contents.js';
import { convertToGeminiSchema } from './convert-to-gemini-schema.js';
import type { GeminiGenerationConfig, GenerateContentRequest } from './gemini-api.js';
import { prepareGeminiTools } from './prepare-gemini-tools.js';
import { clientName, clientNames, NO_ANSWER_EFFECT } from '../../core/warnings.js';

export interface GeminiRequestContext extends GeminiContentsContext {
  /** Streams carry one candidate only, so `n` is honoured only without streaming. */
  streaming: boolean;
  /** The gateway's cap on the answer (what the key's credit affords), if any. */
  maxAnswerTokens?: number;
}

/** Request fields this conversion reads; any other one the client sets is reported as ignored. */
const READ = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed', 'n',
  'presence_penalty', 'frequency_penalty', 'response_format', 'reasoning_effort', 'tools', 'tool_choice', 'parallel_tool_calls',
]);

/** `reasoning_effort` as a thinking budget in tokens, the scale Google's own OpenAI endpoint uses. */
const THINKING_BUDGETS: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576 };

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/** An OpenAI chat request as a Gemini `GenerateContentRequest`. */
export async function convertToGeminiRequest(body: ChatRequest, ctx: GeminiRequestContext): Promise<GenerateContentRequest> {
  const ignored = Object.entries(body).filter(([key, value]) => !READ.has(key) && !NO_ANSWER_EFFECT.has(key) && isSet(value) && value !== false).map(([key]) => key);
  if (ignored.length > 0) ctx.warn('dropped_parameter', `gemini does not support ${clientNames(ignored)}; ignored`);
  const { systemInstruction, contents } = await convertToGeminiContents(body.messages, ctx);
  const request: GenerateContentRequest = { contents };
  if (systemInstruction) request.systemInstruction = systemInstruction;
  Object.assign(request, prepareGeminiTools(body, ctx.warn));
  const config = generationConfig(body, ctx);
  if (Object.keys(config).length > 0) request.generationConfig = config;
  return request;
}

function generationConfig(body: ChatRequest, ctx: GeminiRequestContext): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (isSet(body.temperature)) config.temperature = body.temperature!;
  if (isSet(body.top_p)) config.topP = body.top_p!;
  if (typeof body.top_k === 'number') config.topK = body.top_k;
  const maxTokens = answerLimit(body, ctx.maxAnswerTokens);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  const stops = (typeof body.stop === 'string' ? [body.stop] : (body.stop ?? [])).filter((s) => s !== '');
  if (stops.length > 0) config.stopSequences = stops;
  if (isSet(body.seed)) config.seed = body.seed!;
  if (typeof body.presence_penalty === 'number') config.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === 'number') config.frequencyPenalty = body.frequency_penalty;
  if (isSet(body.n) && body.n !== 1) {
    if (ctx.streaming) ctx.warn('dropped_parameter', `gemini streams one choice only; n=${body.n} was ignored`);
    else config.candidateCount = body.n!;
  }

  const format = body.response_format;
  if (format?.type === 'json_object' || format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema' && format.json_schema?.schema !== undefined) {
      const { schema, dropped } = convertToGeminiSchema(format.json_schema.schema);
      if (dropped.length > 0) ctx.warn('schema_keyword_dropped', `gemini cannot express ${clientNames(dropped)} in response_format.json_schema; dropped`);
      if (schema) config.responseSchema = schema;
    }
  } else if (isSet(format) && format!.type !== 'text') {
    ctx.warn('dropped_parameter', `gemini does not support response_format ${clientName(format!.type)}; it was ignored`);
  }

  const effort = body.reasoning_effort;
  if (typeof effort === 'string') {
    const budget = THINKING_BUDGETS[effort];
    if (budget === undefined) ctx.warn('dropped_parameter', `gemini does not know reasoning_effort ${clientName(effort)}; it was ignored`);
    else config.thinkingConfig = budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
  }
  return config;
}
