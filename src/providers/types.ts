import type { CatalogEntry } from '../config/catalog-entry.js';
import type { ChatCompletion, ChatRequest, Usage } from '../core/chat.js';
import type { ChatStream } from '../core/chat-stream.js';
import type { EmbeddingRequest, EmbeddingResult } from '../core/embeddings.js';
import type { ImageCall, ImageResult } from '../core/images.js';
import type { SpeechCall, SpeechResult } from '../core/speech.js';
import type { LoadedImage } from './shared/fetch-image.js';
import type { Timeouts } from '../core/timeouts.js';
import type { Warn } from '../core/warnings.js';

export type { ChatStream, Timeouts };

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
  /** The most calls to the provider's built-in tools the key's credit affords (Responses `max_tool_calls`). */
  maxToolCalls?: number;
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
  /** The upstream's own count of a Messages API request's prompt tokens; absent when it has none. */
  countTokens?(call: ChatCall): Promise<number>;
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
  /** `file` parts by URL (`file.file_url`, a Messages API document's url source), not only as data. */
  fileUrls?: boolean;
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

/** What the process's settings give a provider type to configure its instances and find its models with. */
export interface ProviderSettings {
  /** The server's data directory (OPENSQ_DATA_DIR). */
  dataDir: string;
  /** CPU threads a provider that runs models in-process may use (OPENSQ_LOCAL_THREADS). */
  threads: number;
  /** A model file or URI the environment names for in-process serving (OPENSQ_LOCAL_MODEL). */
  modelLocation?: string;
}

/** Builds an adapter for one configured instance of a provider type. */
export type CreateAdapter = (config: ProviderConfig) => ProviderAdapter;

/**
 * Everything about one provider type: what it supports, how it configures itself, and where its
 * adapter is. The adapter's module is imported only when an instance of the type is usable, so a
 * process loads the code of the providers its configuration uses.
 */
export interface ProviderType {
  type: string;
  capabilities: Capabilities;
  /** Runs in-process, so an instance needs no `base_url`. */
  inProcess?: boolean;
  /** Options every instance starts from, derived from the process's settings; an instance's own options win. */
  defaultOptions?(settings: ProviderSettings): Record<string, unknown>;
  /** Catalog entries for models the type finds by itself (files on disk, the environment), served by `providerName`. */
  discoverModels?(providerName: string, settings: ProviderSettings): CatalogEntry[];
  /** Imports the adapter's module. */
  load(): Promise<CreateAdapter>;
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
  /** Options of the instance, as a config file's `options` would set them (e.g. an upstream's API dialect). */
  options?: Record<string, unknown>;
}
