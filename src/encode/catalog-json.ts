import type { Model } from '../routing/catalog.js';
import type { OnlySqCatalogView, OnlySqModelView } from '../schema/onlysq-models-wire.js';

/** One model as OnlySq's `GET /ai/models` shows it (hyphenated keys are OnlySq's own). */
function onlysqModel(model: Model, available: (model: Model) => boolean): OnlySqModelView {
  return {
    name: model.name,
    description: model.description,
    owner: model.owner,
    type: model.type,
    modality: model.modality,
    endpoints: model.endpoints,
    paid: model.paid,
    'can-stream': model.canStream,
    'can-tools': model.canTools,
    'can-vision': model.canVision,
    'can-think': model.canThink,
    status: model.downReason === undefined && available(model) ? 'work' : 'down',
    tier: model.tier,
    limits: model.limits,
    cost: model.cost,
  };
}

/** `{"models": {id: ...}, "classified": {"text": {...}, "image": {...}, "sound": {...}}}`. */
export function onlysqCatalog(models: readonly Model[], available: (model: Model) => boolean = () => true): OnlySqCatalogView {
  const all: Record<string, OnlySqModelView> = {};
  const classified: Record<string, Record<string, OnlySqModelView>> = { text: {}, image: {}, sound: {} };
  for (const model of models) {
    const entry = onlysqModel(model, available);
    all[model.id] = entry;
    (classified[model.modality] ??= {})[model.id] = entry;
  }
  return { models: all, classified };
}

/** A fixed creation time: the catalog has no real one, and clients cache on it. */
const CATALOG_CREATED = 1_735_689_600;

export function openAIModel(model: Model): Record<string, unknown> {
  return { id: model.id, object: 'model', created: CATALOG_CREATED, owned_by: model.owner };
}

export function openAIModelList(models: readonly Model[]): Record<string, unknown> {
  return { object: 'list', data: models.map(openAIModel) };
}
