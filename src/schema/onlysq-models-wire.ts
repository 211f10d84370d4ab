import type { ModelCost } from '../config/catalog-entry.js';

/**
 * One model as OnlySq's `GET /ai/models` shows it (hyphenated keys are OnlySq's own); the admin
 * API's Providers view and the dashboard read the same shape. Imports types only, from files that
 * import nothing, so the dashboard's compiler can read it.
 */
export interface OnlySqModelView {
  name: string;
  description: string;
  owner: string;
  type: 'keys' | 'provider';
  modality: 'text' | 'image' | 'sound';
  endpoints: string[];
  paid: boolean;
  'can-stream': boolean;
  'can-tools': boolean;
  'can-vision': boolean;
  'can-think': boolean;
  status: 'work' | 'down';
  tier: number;
  /** OnlySq's four request limits of the model. */
  limits: [number, number, number, number];
  cost: ModelCost;
}

/** `GET /ai/models`: every model by id, and again by modality. */
export interface OnlySqCatalogView {
  models: Record<string, OnlySqModelView>;
  classified: Record<string, Record<string, OnlySqModelView>>;
}
