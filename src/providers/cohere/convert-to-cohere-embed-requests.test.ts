import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../core/errors.js';
import { convertToCohereEmbedRequests } from './convert-to-cohere-embed-requests.js';

describe('convertToCohereEmbedRequests', () => {
  it('embeds texts as documents, with dimensions as output_dimension', () => {
    assert.deepEqual(convertToCohereEmbedRequests({ model: 'public', input: 'hello', dimensions: 256 }, 'embed-v4.0'), [
      { model: 'embed-v4.0', texts: ['hello'], input_type: 'search_document', embedding_types: ['float'], output_dimension: 256 },
    ]);
  });

  it('splits inputs into batches of 96 texts, in order', () => {
    const input = Array.from({ length: 200 }, (_, i) => `text ${i}`);
    const requests = convertToCohereEmbedRequests({ model: 'public', input }, 'embed-v4.0');
    assert.deepEqual(requests.map((r) => r.texts.length), [96, 96, 8]);
    assert.deepEqual(requests.flatMap((r) => r.texts), input);
  });

  it('refuses token arrays, which Cohere cannot embed', () => {
    assert.throws(() => convertToCohereEmbedRequests({ model: 'public', input: [1, 2, 3] }, 'embed-v4.0'), (e: unknown) => e instanceof ApiError && e.status === 400 && e.param === 'input');
  });
});
