import { anthropicPresets, anthropicType } from './anthropic/anthropic-type.js';
import { bflPresets, bflType } from './bfl/bfl-type.js';
import { coherePresets, cohereType } from './cohere/cohere-type.js';
import { espeakPresets, espeakType } from './espeak/espeak-type.js';
import { geminiPresets, geminiType } from './gemini/gemini-type.js';
import { gttsPresets, gttsType } from './gtts/gtts-type.js';
import { localPresets, localType } from './local/local-type.js';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible/presets.js';
import { openAICompatibleType, openAIType } from './openai-compatible/openai-compatible-type.js';
import type { ProviderPreset, ProviderType } from './types.js';

/**
 * Every provider type this build can talk to, by `type` name: descriptors only, whose adapters are
 * imported when an instance of the type is usable.
 */
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
