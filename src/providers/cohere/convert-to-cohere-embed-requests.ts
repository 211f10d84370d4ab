import { type EmbeddingRequest, embeddingTexts } from '../../core/embeddings.js';
import { ApiError } from '../../core/errors.js';
import type { CohereEmbedRequest } from './cohere-api.js';

/** Cohere embeds at most this many texts per call; OpenAI takes up to 2048. */
export const COHERE_EMBED_BATCH = 96;

/**
 * The `POST /v2/embed` bodies for an OpenAI embeddings request, one per batch of 96 texts, so
 * inputs OpenAI accepts are not refused. Texts are embedded as documents (`search_document`),
 * the use OpenAI's embeddings serve most; `dimensions` becomes `output_dimension`.
 */
export function convertToCohereEmbedRequests(body: EmbeddingRequest, upstreamModel: string): CohereEmbedRequest[] {
  const texts = embeddingTexts(body.input);
  if (!texts) throw new ApiError('invalid_request', 'Cohere embeds text only; token arrays are not supported.', { param: 'input' });
  const requests: CohereEmbedRequest[] = [];
  for (let start = 0; start < texts.length; start += COHERE_EMBED_BATCH) {
    const request: CohereEmbedRequest = {
      model: upstreamModel,
      texts: texts.slice(start, start + COHERE_EMBED_BATCH),
      input_type: 'search_document',
      embedding_types: ['float'],
    };
    if (body.dimensions !== undefined) request.output_dimension = body.dimensions;
    requests.push(request);
  }
  return requests;
}
