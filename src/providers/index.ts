import { bflPresets, bflType } from './bfl/index.js';
import { espeakPresets, espeakType } from './espeak/index.js';
import { gttsPresets, gttsType } from './gtts/index.js';
import { localPresets, localType } from './local/index.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible/presets.js';
import { openAICompatibleType, openAIType } from './openai-compatible/index.js';
import type { ProviderPreset, ProviderType } from './types.js';

/** Every provider type this build can talk to, by `type` name. */
export const PROVIDER_TYPES: ReadonlyMap<string, ProviderType> = new Map(
  [openAIType, openAICompatibleType, localType, bflType, gttsType, espeakType].map((t) => [t.type, t]),
);

/**
 * Provider instances known without a config file. Types whose adapter is not in this build yet
 * (anthropic, gemini, cohere) are listed so the catalog can say which variable they need.
 */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  ...OPENAI_COMPATIBLE_PRESETS,
  ...localPresets,
  ...bflPresets,
  ...gttsPresets,
  ...espeakPresets,
  { name: 'anthropic', type: 'anthropic', keyVar: 'ANTHROPIC_API_KEY', baseUrlVar: 'ANTHROPIC_BASE_URL', defaultBaseUrl: 'https://api.anthropic.com' },
  { name: 'gemini', type: 'gemini', keyVar: 'GEMINI_API_KEY', baseUrlVar: 'GEMINI_BASE_URL', defaultBaseUrl: 'https://generativelanguage.googleapis.com' },
  { name: 'cohere', type: 'cohere', keyVar: 'COHERE_API_KEY', baseUrlVar: 'COHERE_BASE_URL', defaultBaseUrl: 'https://api.cohere.com' },
];
