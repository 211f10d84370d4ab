/** Provider-neutral embeddings types, in OpenAI's wire names. */

export interface EmbeddingRequest {
  model: string;
  /** One text or many; token arrays pass through only to OpenAI-compatible upstreams. */
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

export interface EmbeddingResult {
  /** One vector per input, in input order; a string is a vector already in OpenAI's base64 form. */
  vectors: Array<number[] | string>;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Texts of an embedding input, for providers that only take strings. */
export function embeddingTexts(input: EmbeddingRequest['input']): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'string')) return input as string[];
  return undefined;
}
