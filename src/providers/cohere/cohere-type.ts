import type { ProviderPreset, ProviderType } from '../types.js';

/** Like Cohere's SDKs: `COHERE_BASE_URL` is a host root, to which the adapter appends `/v2/...`. */
export const coherePresets: readonly ProviderPreset[] = [
  { name: 'cohere', type: 'cohere', keyVar: 'COHERE_API_KEY', baseUrlVar: 'COHERE_BASE_URL', defaultBaseUrl: 'https://api.cohere.com' },
];

/**
 * Named tool choices are emulated (only that tool offered, with `REQUIRED`) and reported;
 * images are Cohere vision models' `image_url` parts; JSON schemas are enforced through
 * `response_format.json_schema`.
 */
export const cohereType: ProviderType = {
  type: 'cohere',
  capabilities: {
    streaming: true,
    tools: true,
    streamedTools: true,
    parallelTools: true,
    toolChoice: true,
    images: true,
    jsonSchema: true,
    files: false,
    otherTools: false,
    audioInput: false,
    audioOutput: false,
    thinking: false,
    usageInStream: true,
    embeddings: true,
  },
  load: async () => {
    const { CohereAdapter } = await import('./index.js');
    return (config) => new CohereAdapter(config);
  },
};
