import { answerLimit, type ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { chatTools } from '../../core/tools.js';
import type { CohereChatRequest } from './cohere-api.js';
import { convertToCohereMessages } from './convert-to-cohere-messages.js';
import { prepareCohereTools } from './prepare-cohere-tools.js';
import type { Warn } from '../../core/warnings.js';

export interface CohereRequestContext {
  upstreamModel: string;
  stream: boolean;
  warn: Warn;
  /** The gateway's cap on the answer (what the key's credit affords), if any. */
  maxAnswerTokens?: number;
}

/** OpenAI parameters that change the answer and that Cohere has no counterpart for, with the value that is harmless. */
const UNSUPPORTED: ReadonlyArray<[name: string, harmless: (value: unknown) => boolean]> = [
  ['n', (v) => v === 1],
  ['logprobs', (v) => v === false],
  ['top_logprobs', (v) => v === 0],
  ['logit_bias', (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0],
  ['parallel_tool_calls', (v) => v === true],
  ['reasoning_effort', () => false],
  ['verbosity', () => false],
  ['prediction', () => false],
  ['modalities', (v) => Array.isArray(v) && v.every((m) => m === 'text')],
  ['audio', () => false],
  ['web_search_options', () => false],
  ['functions', () => false],
  ['function_call', () => false],
];

/**
 * The body of `POST /v2/chat` for an OpenAI chat request. Values outside Cohere's ranges (top-p
 * 0.01–0.99, penalties 0–1) are moved to the nearest one it accepts, and parameters it cannot
 * honour are dropped; both are reported through `warn`.
 */
export function convertToCohereRequest(body: ChatRequest, ctx: CohereRequestContext): CohereChatRequest {
  const request: CohereChatRequest = {
    model: ctx.upstreamModel,
    messages: convertToCohereMessages(body.messages, ctx.warn),
    stream: ctx.stream,
    ...prepareCohereTools(chatTools(body), ctx.warn),
  };
  const maxTokens = answerLimit(body, ctx.maxAnswerTokens);
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.seed != null) request.seed = body.seed;
  if (body.top_p != null) request.p = inRange({ name: 'top_p', value: body.top_p, min: 0.01, max: 0.99, warn: ctx.warn });
  for (const name of ['frequency_penalty', 'presence_penalty'] as const) {
    const value = body[name];
    if (typeof value === 'number') request[name] = inRange({ name, value, min: 0, max: 1, warn: ctx.warn });
  }
  const stops = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (stops?.length) request.stop_sequences = stops;
  const format = responseFormat(body.response_format);
  if (format) request.response_format = format;

  const ignored = UNSUPPORTED.filter(([name, harmless]) => body[name] != null && !harmless(body[name])).map(([name]) => name);
  if (ignored.length > 0) ctx.warn('dropped_parameter', `Cohere does not support ${ignored.join(', ')}; ignored.`);
  return request;
}

interface RangedValue {
  /** The parameter's name, for the warning. */
  name: string;
  value: number;
  min: number;
  max: number;
  warn: Warn;
}

/** The value brought into Cohere's range, with a warning when that changed it. */
function inRange({ name, value, min, max, warn }: RangedValue): number {
  const adjusted = Math.min(max, Math.max(min, value));
  if (adjusted !== value) warn('adjusted_parameter', `Cohere accepts ${name} from ${min} to ${max}; ${value} was sent as ${adjusted}.`);
  return adjusted;
}

function responseFormat(format: ChatRequest['response_format']): CohereChatRequest['response_format'] {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    return schema === undefined ? { type: 'json_object' } : { type: 'json_object', json_schema: schema };
  }
  throw new ApiError('invalid_request', `Invalid value for 'response_format.type': '${format.type}'.`, { param: 'response_format.type' });
}
