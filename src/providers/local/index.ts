import type { ProviderPreset, ProviderType } from '../types.js';
import { ApiError } from '../../core/errors.js';

export const localPresets: readonly ProviderPreset[] = [{ name: 'local', type: 'local' }];

/** Placeholder until the llama.cpp adapter lands. */
export const localType: ProviderType = {
  type: 'local',
  create: (config) => ({
    config,
    chat: async () => {
      throw new ApiError('model_unavailable', 'local models are not available yet');
    },
    stream: async () => {
      throw new ApiError('model_unavailable', 'local models are not available yet');
    },
  }),
};
