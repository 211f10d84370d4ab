import type { DeploymentReport } from '../schema/admin-wire.js';
import type { Deployment, Model } from './catalog.js';
import type { DeploymentHealth } from './deployment-health.js';

export type { DeploymentReport };

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
