/** What a model is for: decides which routes may use it. */
export type ModelKind = 'chat' | 'embedding' | 'image' | 'speech';

export interface DeploymentSpec {
  /** A provider instance name: a preset (`openai`, `groq`, ...) or one declared in OPENSQ_CONFIG. */
  provider: string;
  /** The model name the upstream knows. */
  model: string;
  /** Lower is tried first. */
  priority?: number;
  /** Relative share of traffic within one priority. */
  weight?: number;
  /** Requests this deployment may serve at once; more wait for another deployment or fail over. */
  maxConcurrency?: number;
}

/**
 * Prices in credits: per million tokens for text, and per unit for media (each generated image,
 * each thousand characters spoken).
 */
export interface ModelCost {
  input: number;
  output: number;
  /** Per million prompt tokens read from the provider's prompt cache; `input` when not set. */
  cache_read?: number;
  /** Per million prompt tokens written to the provider's prompt cache; `input` when not set. */
  cache_write?: number;
  per_image?: number;
  per_1k_chars?: number;
  /**
   * Per call to one of the provider's built-in tools, by kind as the answer names it without `_call`
   * (`web_search`, `file_search`, `code_interpreter`, `image_generation`, ...); a kind not listed costs nothing.
   */
  tool_calls?: Record<string, number>;
}

/** One model of the catalog as written in the default catalog or the config file. */
export interface CatalogEntry {
  id: string;
  name?: string;
  description?: string;
  /** The family shown as `owner` in /ai/models and `owned_by` in /models. */
  owner?: string;
  type?: 'keys' | 'provider';
  modality?: 'text' | 'image' | 'sound';
  kind?: ModelKind;
  endpoints?: string[];
  paid?: boolean;
  canStream?: boolean;
  canTools?: boolean;
  canVision?: boolean;
  canThink?: boolean;
  tier?: number;
  /** The longest answer the model writes, in tokens (reasoning included): the answer's worst case in credit reservations. */
  maxOutputTokens?: number;
  /** Requests per minute for tiers 0..3. */
  limits?: [number, number, number, number];
  cost?: ModelCost;
  deployments: DeploymentSpec[];
  /** How to choose within a priority: weighted random (default) or fastest time to first byte. */
  routing?: 'weighted' | 'least-latency';
  /** Overrides the providers' timeouts for this model. */
  timeouts?: Partial<import('../providers/types.js').Timeouts>;
}
