import type { Capabilities, CreateAdapter, ProviderType } from '../types.js';

/** Relayed as is, so everything the upstream supports works; these are what OpenAI itself supports. */
const capabilities: Capabilities = {
  streaming: true,
  tools: true,
  streamedTools: true,
  parallelTools: true,
  toolChoice: true,
  images: true,
  jsonSchema: true,
  // Passed on as sent: the upstream answers them or refuses with its own 400.
  files: true,
  otherTools: true,
  audioInput: true,
  audioOutput: true,
  thinking: true,
  usageInStream: true,
  embeddings: true,
  imageGeneration: true,
  imageInputs: true,
  speech: true,
};

async function load(): Promise<CreateAdapter> {
  const { OpenAICompatibleAdapter } = await import('./index.js');
  return (config) => new OpenAICompatibleAdapter(config);
}

export const openAICompatibleType: ProviderType = { type: 'openai-compatible', capabilities, load };

export const openAIType: ProviderType = { type: 'openai', capabilities, load };
