import { type EmbeddingRequest, type EmbeddingResult, embeddingTexts } from '../../core/embeddings.js';
import { ApiError } from '../../core/errors.js';
import type { BatchEmbedContentsRequest, BatchEmbedContentsResponse } from './gemini-api.js';
import { clientNames, NO_ANSWER_EFFECT, type Warn } from '../../core/warnings.js';
import { areNumericVectors } from '../shared/numeric-vectors.js';

/** Request fields this conversion reads (the route turns vectors into base64 itself). */
const READ = new Set(['model', 'input', 'encoding_format', 'dimensions']);

/**
 * An OpenAI embeddings request as one `batchEmbedContents` request per input text; `model` is
 * the upstream model's resource name (`models/...`). Token arrays have no Gemini form: a 400.
 */
export function convertToGeminiEmbedRequest(body: EmbeddingRequest, model: string, warn: Warn): BatchEmbedContentsRequest {
  const texts = embeddingTexts(body.input);
  if (!texts) throw new ApiError('invalid_request', 'Gemini embeddings take text input only, not token arrays.', { param: 'input' });
  const ignored = Object.entries(body).filter(([key, value]) => !READ.has(key) && !NO_ANSWER_EFFECT.has(key) && value !== undefined && value !== null).map(([key]) => key);
  if (ignored.length > 0) warn('dropped_parameter', `gemini does not support ${clientNames(ignored)} for embeddings; ignored`);
  return {
    requests: texts.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {}),
    })),
  };
}

/**
 * The vectors of a `batchEmbedContents` answer, or undefined unless it holds one vector of numbers
 * per input. Gemini reports no token usage for embeddings; zero lets the route count the input itself.
 */
export function convertGeminiEmbedResponse(response: BatchEmbedContentsResponse, inputs: number): EmbeddingResult | undefined {
  const embeddings = response.embeddings;
  if (!Array.isArray(embeddings) || embeddings.length !== inputs) return undefined;
  const vectors = embeddings.map((e: unknown) => (typeof e === 'object' && e !== null ? (e as { values?: unknown }).values : undefined));
  return areNumericVectors(vectors) ? { vectors, usage: { prompt_tokens: 0, total_tokens: 0 } } : undefined;
}
