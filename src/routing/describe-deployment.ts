import type { Deployment, Model } from './catalog.js';
import type { DeploymentHealth } from './deployment-health.js';

/** One deployment's state as operators see it in `GET /admin/health`. */
export interface DeploymentReport {
  model: string;
  provider: string;
  provider_type: string;
  /** The model name the upstream knows. */
  upstream_model: string;
  priority: number;
  weight: number;
  /** `not_configured` when its provider lacks a key or base URL; `cooling_down` after repeated failures or an upstream 429's pause. */
  state: 'ok' | 'not_configured' | 'cooling_down';
  configured: boolean;
  /** Why it cannot be used, naming what to set; null when it can. */
  reason: string | null;
  /** ISO 8601 time a cooldown ends; null when not cooling down. */
  cooling_down_until: string | null;
  last_error: string | null;
}

/** The single place that says whether a deployment can serve: configuration joined with its circuit breaker. */
export function describeDeployment(model: Model, deployment: Deployment, health: DeploymentHealth): DeploymentReport {
  const missing = deployment.provider.missing;
  const live = health.describe(deployment);
  const cooling = live.state !== 'ok';
  return {
    model: model.id,
    provider: deployment.provider.name,
    provider_type: deployment.provider.type,
    upstream_model: deployment.model,
    priority: deployment.priority,
    weight: deployment.weight,
    state: missing ? 'not_configured' : cooling ? 'cooling_down' : 'ok',
    configured: !missing,
    reason: missing ?? (live.state === 'paused' ? 'paused: its upstream answered 429 with a short Retry-After' : cooling ? `cooling down after failures (${live.consecutiveFailures} in a row)` : null),
    cooling_down_until: cooling && live.coolingUntil ? new Date(live.coolingUntil).toISOString() : null,
    last_error: live.lastError ?? null,
  };
}
