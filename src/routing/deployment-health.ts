import type { Deployment, Model } from './catalog.js';

/** One deployment's state as operators see it in `GET /admin/health`. */
export interface DeploymentHealth {
  model: string;
  provider: string;
  provider_type: string;
  /** The model name the upstream knows. */
  upstream_model: string;
  priority: number;
  weight: number;
  /** `ok`, or `not_configured` when its provider lacks a key or base URL. */
  state: 'ok' | 'not_configured' | 'cooling_down';
  configured: boolean;
  /** Why it cannot be used, naming what to set; null when it can. */
  reason: string | null;
  /** ISO 8601 time a cooldown ends; null when not cooling down. */
  cooling_down_until: string | null;
  last_error: string | null;
}

/**
 * The state of one deployment: the single place that says whether it can serve, so cooldowns and
 * last errors (routing) join here.
 */
export function deploymentHealth(model: Model, deployment: Deployment): DeploymentHealth {
  const missing = deployment.provider.missing;
  return {
    model: model.id,
    provider: deployment.provider.name,
    provider_type: deployment.provider.type,
    upstream_model: deployment.model,
    priority: deployment.priority,
    weight: deployment.weight,
    state: missing ? 'not_configured' : 'ok',
    configured: !missing,
    reason: missing ?? null,
    cooling_down_until: null,
    last_error: null,
  };
}
