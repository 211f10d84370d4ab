import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CatalogEntry } from '../../config/catalog-entry.js';
import type { ProviderSettings } from '../types.js';

/** The id a local GGUF model is served as: its file name without `.gguf`. */
export function localModelId(location: string): string {
  return path.basename(location.replace(/^hf:/, '')).replace(/\.gguf$/i, '');
}

/** Where downloaded and dropped-in GGUF files live. */
export function localModelsDir(dataDir: string): string {
  return path.join(dataDir, 'models');
}

/** OPENSQ_LOCAL_MODEL, then the GGUF files dropped into `<data>/models`: served without any configuration. */
export function discoverLocalModels(providerName: string, settings: ProviderSettings): CatalogEntry[] {
  const locations = [...(settings.modelLocation ? [settings.modelLocation] : []), ...ggufFiles(localModelsDir(settings.dataDir))];
  return locations.map((location) => ({
    id: localModelId(location),
    description: `A llama.cpp model served in-process from ${location}.`,
    owner: 'local',
    type: 'keys',
    modality: 'text',
    kind: 'chat',
    canTools: false,
    deployments: [{ provider: providerName, model: location }],
  }));
}

function ggufFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.toLowerCase().endsWith('.gguf'))
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
