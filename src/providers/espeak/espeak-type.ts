import { mediaOnlyAdapter, mediaOnlyCapabilities } from '../shared/media-only-adapter.js';
import type { ProviderPreset, ProviderType } from '../types.js';

export const espeakPresets: readonly ProviderPreset[] = [{ name: 'espeak', type: 'espeak' }];

export const espeakType: ProviderType = {
  type: 'espeak',
  inProcess: true,
  capabilities: mediaOnlyCapabilities({ speech: true }),
  load: async () => {
    const { EspeakAdapter } = await import('./index.js');
    return (config) => mediaOnlyAdapter(new EspeakAdapter(config));
  },
};
