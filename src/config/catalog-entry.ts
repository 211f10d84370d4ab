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
  /** Requests per minute for tiers 0..3. */
  limits?: [number, number, number, number];
  /** Credits per million tokens. */
  cost?: { input: number; output: number; unit?: number };
  deployments: DeploymentSpec[];
}
