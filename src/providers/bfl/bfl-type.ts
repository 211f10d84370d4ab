import { mediaOnlyAdapter, mediaOnlyCapabilities } from '../shared/media-only-adapter.js';
import type { ProviderPreset, ProviderType } from '../types.js';

export const bflPresets: readonly ProviderPreset[] = [
  { name: 'bfl', type: 'bfl', keyVar: 'BFL_API_KEY', baseUrlVar: 'BFL_BASE_URL', defaultBaseUrl: 'https://api.bfl.ai' },
];

export const bflType: ProviderType = {
  type: 'bfl',
  capabilities: mediaOnlyCapabilities({ imageGeneration: true, imageInputs: true }),
  load: async () => {
    const { BflAdapter } = await import('./index.js');
    return (config) => mediaOnlyAdapter(new BflAdapter(config));
  },
};
