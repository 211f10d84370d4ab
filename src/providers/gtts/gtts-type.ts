import { mediaOnlyAdapter, mediaOnlyCapabilities } from '../shared/media-only-adapter.js';
import type { ProviderPreset, ProviderType } from '../types.js';

export const gttsPresets: readonly ProviderPreset[] = [
  { name: 'gtts', type: 'gtts', baseUrlVar: 'GTTS_BASE_URL', defaultBaseUrl: 'https://translate.google.com' },
];

export const gttsType: ProviderType = {
  type: 'gtts',
  capabilities: mediaOnlyCapabilities({ speech: true }),
  load: async () => {
    const { GttsAdapter } = await import('./index.js');
    return (config) => mediaOnlyAdapter(new GttsAdapter(config));
  },
};
