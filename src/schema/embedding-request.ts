import { z } from 'zod';
import type { EmbeddingRequest } from '../core/embeddings.js';
import { ApiError } from '../core/errors.js';

const embeddingRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

export function parseEmbeddingRequest(body: unknown): EmbeddingRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  }
  const candidate = body as Record<string, unknown>;
  if (candidate.model === undefined) throw new ApiError('invalid_request', 'you must provide a model parameter', { param: 'model' });
  if (candidate.input === undefined) throw new ApiError('invalid_request', "Missing required parameter: 'input'.", { param: 'input' });
  if (candidate.input === '' || (Array.isArray(candidate.input) && candidate.input.some((item) => item === ''))) {
    throw new ApiError('invalid_request', "'$.input' is invalid: an input must not be an empty string.", { param: 'input' });
  }
  const result = embeddingRequest.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue.path.map(String).join('.') || 'input';
    throw new ApiError('invalid_request', `Invalid value for '${param}': ${issue.message}`, { param });
  }
  const request = result.data as EmbeddingRequest;
  for (const field of ['extra', 'extra_body', 'extra_headers', 'extra_query']) delete request[field];
  return request;
}
