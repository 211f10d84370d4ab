import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIMEOUTS } from '../routing/provider-registry.js';
import { PROVIDER_TYPES } from './index.js';

/** The media rows of the capability matrix: what a type declares is what its adapter has. */
describe('media capabilities', () => {
  for (const type of PROVIDER_TYPES.values()) {
    it(`${type.type}: declares image generation and speech exactly when its adapter has them`, async () => {
      const adapter = (await type.load())({ name: type.type, type: type.type, baseUrl: 'http://127.0.0.1:9', apiKey: 'k', options: {}, timeouts: DEFAULT_TIMEOUTS });
      try {
        assert.equal(typeof adapter.generateImage === 'function', type.capabilities.imageGeneration === true);
        assert.equal(typeof adapter.speak === 'function', type.capabilities.speech === true);
        if (type.capabilities.imageInputs) assert.equal(type.capabilities.imageGeneration, true);
      } finally {
        await adapter.close?.();
      }
    });
  }
  it('media-only adapters refuse chat with a 400 that names the provider', async () => {
    const bfl = (await PROVIDER_TYPES.get('bfl')!.load())({ name: 'bfl', type: 'bfl', options: {}, timeouts: DEFAULT_TIMEOUTS });
    await assert.rejects(bfl.chat({} as never), (e: Error & { status?: number }) => e.status === 400 && /bfl.*serves no chat/.test(e.message));
  });
});
