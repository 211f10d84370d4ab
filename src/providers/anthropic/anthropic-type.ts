import type { ProviderPreset, ProviderType } from '../types.js';

/** As the official SDKs: `ANTHROPIC_BASE_URL` is a host root, to which the adapter appends `/v1/messages`. */
export const anthropicPresets: readonly ProviderPreset[] = [
  { name: 'anthropic', type: 'anthropic', keyVar: 'ANTHROPIC_API_KEY', baseUrlVar: 'ANTHROPIC_BASE_URL', defaultBaseUrl: 'https://api.anthropic.com' },
];

export const anthropicType: ProviderType = {
  type: 'anthropic',
  capabilities: {
    streaming: true,
    tools: true,
    streamedTools: true,
    parallelTools: true,
    toolChoice: true,
    images: true,
    // Through a forced tool whose input schema is the client's schema (prepare-anthropic-tools.ts).
    jsonSchema: true,
    // PDFs, as bytes or by URL (convert-to-anthropic-messages.ts); a Messages API client's documents pass as sent.
    files: true,
    fileUrls: true,
    otherTools: false,
    audioInput: false,
    audioOutput: false,
    // reasoning_effort as extended thinking budgets (prepare-anthropic-thinking.ts); a Messages API client's thinking as sent.
    thinking: true,
    usageInStream: true,
    embeddings: false,
  },
  load: async () => {
    const { AnthropicAdapter } = await import('./index.js');
    return (config) => new AnthropicAdapter(config);
  },
};
