import type { ChatCompletion, ChatRequest, Usage } from '../core/chat.js';
import type { EmbeddingRequest, EmbeddingResult } from '../core/embeddings.js';
import type { ImageCall, ImageResult } from '../core/images.js';
import type { SpeechCall, SpeechResult } from '../core/speech.js';
import type { LoadedImage } from './shared/fetch-image.js';
import type { Timeouts } from '../core/timeouts.js';
import type { Warn } from '../core/warnings.js';

export type { Timeouts };

/** A configured provider instance, from presets and environment or from OPENSQ_CONFIG. */
export interface ProviderConfig {
  name: string;
  type: string;
  baseUrl?: string;
  apiKey?: string;
  /** Extra settings a provider type understands (e.g. `threads` for local). */
  options: Record<string, unknown>;
  timeouts: Timeouts;
  /** Why the provider cannot be used, naming the variable to set; undefined when usable. */
  missing?: string;
}

export interface ChatCall {
  /** The client's request as validated; providers copy, never mutate it. */
  body: ChatRequest;
  /** The model id the client asked for, shown back in every answer. */
  publicModel: string;
  /** The model name the upstream knows. */
  upstreamModel: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** The answer's id (`chatcmpl-...`) and creation time, for providers that build chunks themselves. */
  id: string;
  created: number;
  /**
   * Reports what the provider cannot honour, with a stable code (core/warnings.ts); it reaches the
   * log and `x-opensq-warnings`. Only for something the client asked for that is lost or changed.
   */
  warn: Warn;
  /** This request's timeouts (the model's over the provider's); the provider's own when absent. */
  timeouts?: Timeouts;
  /**
   * The most answer tokens (per choice) the key's credit affords, below what the request asks for:
   * the provider must lower its answer limit to it.
   */
  maxAnswerTokens?: number;
  /**
   * Loads an image part's bytes for providers that send them inline: the request's own loader
   * (each URL once across attempts, a total byte allowance); `fetchImage` of each URL when absent.
   */
  loadImage?(url: string): Promise<LoadedImage>;
}

export interface EmbedCall {
  body: EmbeddingRequest;
  publicModel: string;
  upstreamModel: string;
  signal: AbortSignal;
  warn: Warn;
  timeouts?: Timeouts;
}

export interface ChatResult {
  completion: ChatCompletion;
  usage: Usage | undefined;
  /**
   * The completion's JSON text as relayed (our id, the public model), when the adapter passed the
   * upstream's bytes on: an OpenAI-shaped answer can be sent as it is, and `completion` is then
   * parsed only if something reads it.
   */
  json?: string;
  /** The upstream's own id for the answer, kept on the usage row when the answer's id is ours. */
  upstreamId?: string;
}

/**
 * A streamed answer already encoded as OpenAI `chat.completion.chunk` JSON texts, batched per
 * upstream read so the route can write each batch at once. Iteration throws an ApiError if the
 * upstream fails mid-stream.
 */
export interface ChatStream extends AsyncIterable<string[]> {
  /** Usage once iteration has ended: upstream's own, or counted with a tokenizer. */
  usage(): Usage | undefined;
  /** The generated text, for counting tokens when the upstream sent no usage. */
  completionText(): string;
  /** The upstream's own id for the answer, once a chunk has come, when the chunks carry ours. */
  upstreamId?(): string | undefined;
}

export interface ProviderAdapter {
  readonly config: ProviderConfig;
  chat(call: ChatCall): Promise<ChatResult>;
  /** Resolves once the upstream has accepted the request, so errors before the first byte are plain JSON. */
  stream(call: ChatCall): Promise<ChatStream>;
  /** Absent when the provider has no embeddings. */
  embed?(call: EmbedCall): Promise<EmbeddingResult>;
  /** Absent when the provider generates no images. */
  generateImage?(call: ImageCall): Promise<ImageResult>;
  /** Absent when the provider has no text to speech. */
  speak?(call: SpeechCall): Promise<SpeechResult>;
  close?(): Promise<void>;
}

/**
 * What a provider type can do, checked by the contract suite: each scenario runs on every provider
 * that declares it, and a provider that does not must say so to the client (400 or a warning).
 * Routing reads the chat features (src/routing/required-capabilities.ts): a request that needs one
 * goes only to deployments whose provider declares it.
 */
export interface Capabilities {
  streaming: boolean;
  tools: boolean;
  streamedTools: boolean;
  parallelTools: boolean;
  /** `tool_choice` none / required / a named function / allowed_tools. */
  toolChoice: boolean;
  /** Image parts from `data:` URLs. */
  images: boolean;
  jsonSchema: boolean;
  /** `file` content parts (documents such as PDFs, as `file_data`). */
  files: boolean;
  /** `input_audio` content parts. */
  audioInput: boolean;
  /** Spoken answers: `modalities` with "audio", or `audio`. */
  audioOutput: boolean;
  /** Tools that are not functions (`web_search`, `custom`, ...): only an OpenAI-wire upstream takes them as sent. */
  otherTools: boolean;
  /** `reasoning_effort` honoured: mapped to the upstream's thinking, or passed on for the upstream to judge. */
  thinking: boolean;
  usageInStream: boolean;
  embeddings: boolean;
  /** Image generation (`generateImage`); absent means no. */
  imageGeneration?: boolean;
  /** Input images for image generation (ImaGen's `files`) on at least some of its models. */
  imageInputs?: boolean;
  /** Text to speech (`speak`); absent means no. */
  speech?: boolean;
}

/** Everything about one provider type: how it is built and what it supports. */
export interface ProviderType {
  type: string;
  capabilities: Capabilities;
  create(config: ProviderConfig): ProviderAdapter;
}

/** A named provider instance known without any config file, configured from the environment. */
export interface ProviderPreset {
  name: string;
  type: string;
  /** The variable holding the API key; presets without one are configured by their base URL or model. */
  keyVar?: string;
  baseUrlVar?: string;
  defaultBaseUrl?: string;
  /** Set when the preset is usable only once this variable is set (e.g. a local server's URL). */
  requiredVar?: string;
}
