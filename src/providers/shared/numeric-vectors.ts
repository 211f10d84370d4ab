/**
 * Whether an upstream's embeddings are vectors of finite numbers. The embeddings route writes them
 * out as given (or packs them into float32s for base64); a null or a string in their place would
 * reach the client as a broken answer, or fail the gateway itself.
 */
export function areNumericVectors(vectors: unknown): vectors is number[][] {
  return Array.isArray(vectors) && vectors.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
}
