import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import { clientNames, type Warning } from '../core/warnings.js';
import { asObject, parseModelField } from './body-fields.js';

const nullableNumber = z.number().nullable().optional();

/**
 * The most items one request's `input` may hold. Long agent conversations send a few thousand; each
 * item costs work on the event loop (reading, converting, storing its copy for `input_items`), and
 * a body under the size limit can hold 400,000: seconds in which the gateway answers nobody.
 */
export const MAX_INPUT_ITEMS = 10_000;

/** One item of `input`; its parts are read by convert-responses-input.ts, which names what it refuses. */
const inputItem = z.looseObject({ type: z.string().optional(), role: z.string().optional() });

const textFormat = z.looseObject({
  type: z.enum(['text', 'json_schema', 'json_object']),
  name: z.string().optional(),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullable().optional(),
});

/**
 * The Responses request fields we read (OpenAI's `CreateResponse`); the others a client may send
 * (`include`, `truncation`, `service_tier`, `prompt_cache_key`, ...) have no effect here.
 */
const responsesRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem)]).optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).nullable().optional(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.looseObject({ format: textFormat.nullable().optional() }).nullable().optional(),
  reasoning: z.looseObject({ effort: z.string().nullable().optional(), summary: z.string().nullable().optional() }).nullable().optional(),
  max_output_tokens: z.number().int().min(1).nullable().optional(),
  temperature: nullableNumber,
  top_p: nullableNumber,
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  user: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  background: z.boolean().nullable().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequest>;
export type ResponsesInputItem = z.infer<typeof inputItem>;

function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

/** Validates a Responses request body; the first problem becomes a 400 naming its parameter. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const candidate = asObject(body);
  parseModelField(candidate);
  if (candidate.input === undefined && candidate.previous_response_id == null) {
    throw new ApiError('invalid_request', "Missing required parameter: 'input'.", { param: 'input' });
  }
  if (Array.isArray(candidate.input) && candidate.input.length > MAX_INPUT_ITEMS) {
    throw new ApiError('invalid_request', `Invalid value for 'input': at most ${MAX_INPUT_ITEMS} items in one request (got ${candidate.input.length}); send the earlier ones as previous_response_id.`, { param: 'input' });
  }
  const result = responsesRequest.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = paramPath(issue.path);
    throw new ApiError('invalid_request', `Invalid value for '${param}': ${issue.message}`, { param });
  }
  if (result.data.background === true) {
    throw new ApiError('unsupported_parameter', "'background' responses are not supported by this gateway; send the request without it.", { param: 'background' });
  }
  for (const param of ['conversation', 'prompt'] as const) {
    if (candidate[param] != null) throw new ApiError('unsupported_parameter', `'${param}' (OpenAI's stored ${param}s) is not supported by this gateway; send the input itself.`, { param });
  }
  return result.data;
}

/**
 * What a Responses request asks that no deployment here does, reported as warnings: the answer is
 * still given, without it. Storage and caching hints (`service_tier`, `prompt_cache_key`, ...) ask
 * nothing of the answer and pass without one.
 */
export function responsesWarnings(request: ResponsesRequest): Warning[] {
  const warnings: Warning[] = [];
  const dropped = (message: string): void => void warnings.push({ code: 'dropped_parameter', message });
  if (request.truncation === 'auto') dropped("truncation 'auto' is not done here: an input longer than the model's context is refused");
  if (typeof request.top_logprobs === 'number' && request.top_logprobs > 0) dropped('top_logprobs: answers carry no log probabilities here');
  if (typeof request.max_tool_calls === 'number') dropped('max_tool_calls limits built-in tools, which are not run here');
  const include = Array.isArray(request.include) ? request.include : [];
  if (include.length > 0) dropped(`include ${clientNames(include)}: no extra output is added here`);
  const verbosity = (request.text as Record<string, unknown> | null | undefined)?.verbosity;
  if (verbosity != null) dropped('text.verbosity has no counterpart at the providers');
  return warnings;
}
