import { anthropicPresets, anthropicType } from './anthropic/index.js';
import { bflPresets, bflType } from './bfl/index.js';
import { coherePresets, cohereType } from './cohere/index.js';
import { espeakPresets, espeakType } from './espeak/index.js';
import { geminiPresets, geminiType } from './gemini/index.js';
import { gttsPresets, gttsType } from './gtts/index.js';
import { localPresets, localType } from './local/index.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible/presets.js';
import { openAICompatibleType, openAIType } from './openai-compatible/index.js';
import type { ProviderPreset, ProviderType } from './types.js';

/** Every provider type this build can talk to, by `type` name. */
export const PROVIDER_TYPES: ReadonlyMap<string, ProviderType> = new Map(
  [openAIType, openAICompatibleType, localType, anthropicType, geminiType, cohereType, bflType, gttsType, espeakType].map((t) => [t.type, t]),
);

/** Provider instances known without a config file, each configured from the environment. */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  ...OPENAI_COMPATIBLE_PRESETS,
  ...localPresets,
  ...anthropicPresets,
  ...geminiPresets,
  ...coherePresets,
  ...bflPresets,
  ...gttsPresets,
  ...espeakPresets,
];
