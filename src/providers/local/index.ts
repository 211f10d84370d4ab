import type { StreamPart } from '../../core/chat.js';
import { collectChatCompletion, encodeChatChunks } from '../../encode/chat-chunks.js';
import type { ChatCall, ChatResult, ChatStream, ProviderAdapter, ProviderConfig } from '../types.js';
import { convertToLlamaHistory } from './convert-to-llama-history.js';
import { generateLocalParts } from './local-generation.js';
import { checkPromptFits, checkStopSequences, reportAnswerLimit } from './local-request-bounds.js';
import { LocalRuntime } from './local-runtime.js';
import { readLocalSettings } from './local-settings.js';
import { reportIgnoredParameters } from './report-ignored-parameters.js';
import { responseGrammar } from './response-grammar.js';

/**
 * GGUF models run in-process with llama.cpp (node-llama-cpp). `call.upstreamModel` is the model's
 * location: a file path, or an `hf:` URI or URL downloaded into `options.modelsDir` on first use.
 */
export class LocalAdapter implements ProviderAdapter {
  readonly config: ProviderConfig;
  private readonly runtime: LocalRuntime;

  constructor(config: ProviderConfig) {
    this.config = config;
    this.runtime = new LocalRuntime(readLocalSettings(config.options));
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const parts = await this.prepare(call);
    return collectChatCompletion(parts, { id: call.id, created: call.created, model: call.publicModel });
  }

  async stream(call: ChatCall): Promise<ChatStream> {
    const parts = await this.prepare(call);
    const includeUsage = call.body.stream_options?.include_usage === true;
    return encodeChatChunks(parts, { id: call.id, created: call.created, model: call.publicModel, includeUsage });
  }

  close(): Promise<void> {
    return this.runtime.close();
  }

  /** Reads the conversation, loads the model, checks the prompt fits and builds the grammar before answering, so that their errors precede the first byte. */
  private async prepare(call: ChatCall): Promise<AsyncIterable<StreamPart[]>> {
    const history = convertToLlamaHistory(call.body.messages, call.publicModel);
    reportIgnoredParameters(call.body, call.warn);
    checkStopSequences(call.body.stop);
    const loaded = await this.runtime.model(call.upstreamModel);
    await checkPromptFits({ history, tokenize: (text) => loaded.model.tokenize(text).length, contextSize: loaded.contextSize });
    reportAnswerLimit(call, loaded.contextSize);
    const grammar = await responseGrammar(loaded.llama, call.body.response_format);
    return generateLocalParts({ loaded, call, grammar, history, provider: this.config.name });
  }
}
