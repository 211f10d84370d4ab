import type { Model } from '../routing/catalog.js';

/** A catalog model in Anthropic's Models API shape; the catalog keeps no release dates, so `created_at` is when the list was built. */
export function anthropicModel(model: Model, createdAt: string): Record<string, unknown> {
  return { type: 'model', id: model.id, display_name: model.name, created_at: createdAt };
}

/** The catalog's chat models as one page of Anthropic's model list. */
export function anthropicModelList(models: readonly Model[], createdAt: string): Record<string, unknown> {
  const data = models.filter((m) => m.kind === 'chat').map((m) => anthropicModel(m, createdAt));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
