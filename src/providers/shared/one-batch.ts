/** A whole answer's parts as a stream of one batch, for the encoders that read streams (non-streaming answers). */
export async function* oneBatch<T>(parts: T[]): AsyncGenerator<T[]> {
  yield parts;
}
