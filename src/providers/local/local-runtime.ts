import type { ChatWrapper, Llama, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { ApiError } from '../../core/errors.js';
import { describeError } from './describe-error.js';
import type { LocalSettings } from './local-settings.js';
import { locateModelFile } from './locate-model-file.js';
import { SequencePool } from './sequence-pool.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LoadedModel {
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  /** Resolved once per model rather than per request, since it may parse the model's Jinja template. */
  chatWrapper: ChatWrapper;
  sequences: SequencePool<LlamaContextSequence>;
  /** Tokens each sequence holds: prompt and answer together. */
  contextSize: number;
}

interface Engine {
  lib: NodeLlamaCpp;
  llama: Llama;
}

/** One llama.cpp instance and the models it has loaded, each loaded once per location. */
export class LocalRuntime {
  private engine: Promise<Engine> | undefined;
  private readonly models = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly settings: LocalSettings) {}

  /** The model at `location`; a failed load is forgotten so that a later request retries it. */
  model(location: string): Promise<LoadedModel> {
    let loading = this.models.get(location);
    if (!loading) {
      const attempt = this.load(location);
      attempt.catch(() => {
        if (this.models.get(location) === attempt) this.models.delete(location);
      });
      this.models.set(location, attempt);
      loading = attempt;
    }
    return loading;
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.models.clear();
    const started = await engine?.catch(() => undefined);
    await started?.llama.dispose();
  }

  /** node-llama-cpp is imported on first use so that the server starts without loading it. */
  private start(): Promise<Engine> {
    if (!this.engine) {
      const attempt = (async (): Promise<Engine> => {
        try {
          const lib = await import('node-llama-cpp');
          const llama = await lib.getLlama({
            gpu: this.settings.gpu,
            maxThreads: this.settings.threads,
            // Compiling llama.cpp from source inside a request would take minutes; use the prebuilt binary.
            build: 'never',
            logLevel: lib.LlamaLogLevel.error,
          });
          return { lib, llama };
        } catch (error) {
          throw new ApiError('model_unavailable', `llama.cpp could not start: ${describeError(error)}`, { cause: error });
        }
      })();
      attempt.catch(() => {
        if (this.engine === attempt) this.engine = undefined;
      });
      this.engine = attempt;
    }
    return this.engine;
  }

  private async load(location: string): Promise<LoadedModel> {
    const { lib, llama } = await this.start();
    const modelPath = await locateModelFile(lib, location, this.settings.modelsDir);
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath });
      const context = await model.createContext({
        threads: this.settings.threads,
        sequences: this.settings.sequences,
        contextSize: { max: this.settings.contextSize },
      });
      const all = Array.from({ length: context.totalSequences }, () => context.getSequence());
      return {
        lib,
        llama,
        model,
        chatWrapper: lib.resolveChatWrapper(model),
        sequences: new SequencePool(all),
        contextSize: context.contextSize,
      };
    } catch (error) {
      await model?.dispose();
      throw new ApiError('model_unavailable', `could not load local model ${location}: ${describeError(error)}`, { cause: error });
    }
  }
}
