import type { EmbeddingResult } from '../core/embeddings.js';

/** A vector as OpenAI's base64 encoding: little-endian float32s. */
export function vectorToBase64(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

export function base64ToVector(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  return Array.from(floats);
}

function encodeVector(vector: number[] | string, encoding: 'float' | 'base64'): number[] | string {
  if (encoding === 'base64') return typeof vector === 'string' ? vector : vectorToBase64(vector);
  return typeof vector === 'string' ? base64ToVector(vector) : vector;
}

/** `{"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}`. */
export function embeddingResponse(result: EmbeddingResult, model: string, encoding: 'float' | 'base64'): Record<string, unknown> {
  return {
    object: 'list',
    data: result.vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encodeVector(vector, encoding) })),
    model,
    usage: result.usage,
  };
}
