import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import type { LegacyCompletionBody } from '../core/legacy-completion.js';
import { asObject, parseModelField } from './body-fields.js';

const nullableNumber = z.number().nullable().optional();

/** The legacy completions fields we read; the rest reach OpenAI-compatible upstreams as sent. */
const completionRequest = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.unknown())]),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().min(0).nullable().optional(),
  temperature: nullableNumber,
  top_p: nullableNumber,
  n: z.number().int().min(1).max(128).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  user: z.string().nullable().optional(),
});

export type CompletionRequest = z.infer<typeof completionRequest> & LegacyCompletionBody;

/**
 * Validates a legacy completions body (`POST /v1/completions`). One prompt as text: a list of
 * prompts or of token ids is refused, as no translating provider takes them.
 */
export function parseCompletionRequest(body: unknown): CompletionRequest {
  const candidate = asObject(body);
  parseModelField(candidate);
  if (candidate.prompt === undefined) throw new ApiError('invalid_request', "Missing required parameter: 'prompt'.", { param: 'prompt' });
  const result = completionRequest.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue.path.map(String).join('.');
    throw new ApiError('invalid_request', `Invalid value for '${param}': ${issue.message}`, { param });
  }
  const request = result.data;
  if (Array.isArray(request.prompt)) {
    if (request.prompt.length !== 1 || typeof request.prompt[0] !== 'string') {
      throw new ApiError('unsupported_parameter', "'prompt' must be one text here: lists of prompts and token ids are not supported by this gateway.", { param: 'prompt' });
    }
    request.prompt = request.prompt[0];
  }
  return request as CompletionRequest;
}
