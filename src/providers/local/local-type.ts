import type { ProviderPreset, ProviderType } from '../types.js';
import { discoverLocalModels, localModelsDir } from './discover-local-models.js';

export const localPresets: readonly ProviderPreset[] = [{ name: 'local', type: 'local' }];

export const localType: ProviderType = {
  type: 'local',
  inProcess: true,
  defaultOptions: (settings) => ({ threads: settings.threads, modelsDir: localModelsDir(settings.dataDir) }),
  discoverModels: discoverLocalModels,
  capabilities: {
    streaming: true,
    tools: false,
    streamedTools: false,
    parallelTools: false,
    toolChoice: false,
    images: false,
    // Through a grammar built from the schema (response-grammar.ts).
    jsonSchema: true,
    files: false,
    otherTools: false,
    audioInput: false,
    audioOutput: false,
    thinking: false,
    usageInStream: true,
    embeddings: false,
  },
  load: async () => {
    const { LocalAdapter } = await import('./index.js');
    return (config) => new LocalAdapter(config);
  },
};
