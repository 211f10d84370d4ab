import type { ProviderPreset, ProviderType } from '../types.js';

export const geminiPresets: readonly ProviderPreset[] = [
  { name: 'gemini', type: 'gemini', keyVar: 'GEMINI_API_KEY', baseUrlVar: 'GEMINI_BASE_URL', defaultBaseUrl: 'https://generativelanguage.googleapis.com' },
];

export const geminiType: ProviderType = {
  type: 'gemini',
  /**
   * Everything the contract checks: function calls arrive whole, so streamed tool calls are one
   * delta each (id, name and full arguments, with their index); parallel calls are several
   * functionCall parts; json_schema is enforced by `responseSchema`; usage comes in every event.
   */
  capabilities: {
    streaming: true,
    tools: true,
    streamedTools: true,
    parallelTools: true,
    toolChoice: true,
    images: true,
    jsonSchema: true,
    // file and input_audio parts become inline data; spoken answers are not requested.
    files: true,
    otherTools: false,
    audioInput: true,
    audioOutput: false,
    // reasoning_effort as a thinking budget (convert-to-gemini-request.ts).
    thinking: true,
    usageInStream: true,
    embeddings: true,
  },
  load: async () => {
    const { GeminiAdapter } = await import('./index.js');
    return (config) => new GeminiAdapter(config);
  },
};
