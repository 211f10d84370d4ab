import path from 'node:path';

/** How the local provider runs, read from its `config.options`. */
export interface LocalSettings {
  /** Threads per context. Always passed explicitly: llama.cpp's default oversubscribes small machines. */
  threads: number;
  /** Where `hf:` and URL models are downloaded to. */
  modelsDir: string;
  /** Generations run at once per model; further requests wait their turn. */
  sequences: number;
  /** Upper bound on each sequence's context; llama.cpp lowers it to the model's and the memory's limits. */
  contextSize: number;
  gpu: 'auto' | false;
}

function positiveInteger(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

export function readLocalSettings(options: Record<string, unknown>): LocalSettings {
  return {
    threads: positiveInteger(options.threads, 1),
    modelsDir: path.resolve(typeof options.modelsDir === 'string' ? options.modelsDir : './data/models'),
    sequences: positiveInteger(options.sequences, 2),
    contextSize: positiveInteger(options.contextSize, 4096),
    gpu: options.gpu === 'auto' ? 'auto' : false,
  };
}
