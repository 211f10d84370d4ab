import { ApiError } from '../core/errors.js';

/** gpt-image-1's limit, the most any image model here accepts. */
export const IMAGE_PROMPT_MAX = 32_000;

/** A prompt: a non-blank string of at most IMAGE_PROMPT_MAX characters. */
export function parseImagePrompt(value: unknown): string {
  if (value === undefined || value === null) throw new ApiError('invalid_request', "Missing required parameter: 'prompt'.", { param: 'prompt' });
  if (typeof value !== 'string') throw new ApiError('invalid_request', "Invalid type for 'prompt': expected a string.", { param: 'prompt' });
  if (value.trim() === '') throw new ApiError('invalid_request', "Invalid 'prompt': the prompt must not be empty.", { param: 'prompt' });
  if (value.length > IMAGE_PROMPT_MAX) {
    throw new ApiError('invalid_request', `Invalid 'prompt': string too long. Expected a string with maximum length ${IMAGE_PROMPT_MAX}, but got a string with length ${value.length} instead.`, { param: 'prompt' });
  }
  return value;
}
