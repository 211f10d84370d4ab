import type { ApiKey } from '../auth/key-store.js';
import type { ModelKind } from '../config/catalog-entry.js';
import { ApiError } from '../core/errors.js';
import type { Catalog, Model } from './catalog.js';

/** A model a request names, for a route of one kind. */
export interface ModelRequest {
  catalog: Catalog;
  requested: string;
  key: ApiKey;
  kind: ModelKind;
  /** The request's parameter that names it, in errors; `model` when absent. */
  param?: string;
}

/**
 * The catalog model a request names (directly or through an alias), checked against the key's
 * access and the route's kind; an alias is checked as the model it names.
 */
export function resolveModel({ catalog, requested, key, kind, param = 'model' }: ModelRequest): Model {
  const model = catalog.find(requested);
  if (!model) {
    throw new ApiError('model_not_found', `The model \`${requested}\` does not exist or you do not have access to it.`, { param });
  }
  const id = model.id;
  if (key.allowedModels && !key.allowedModels.has(id)) {
    throw new ApiError('model_not_allowed', `Your API key is not allowed to use the model \`${id}\`.`, { param });
  }
  if (model.tier > key.tier) {
    throw new ApiError('model_not_allowed', `The model \`${id}\` needs a key of tier ${model.tier} or higher; yours is tier ${key.tier}.`, { param });
  }
  if (model.kind !== kind) {
    throw new ApiError('invalid_request', `The model \`${id}\` is a ${model.kind} model and cannot be used here.`, { param });
  }
  if (model.downReason !== undefined) {
    throw new ApiError('provider_not_configured', `The model \`${id}\` is not available on this server: ${model.downReason}.`, { param });
  }
  return model;
}
