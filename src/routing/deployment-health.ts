import type { Deployment } from './catalog.js';

export interface CooldownSettings {
  /** Consecutive failures that put a deployment in cooldown. */
  failures: number;
  cooldownMs: number;
}

export const DEFAULT_COOLDOWN: CooldownSettings = { failures: 3, cooldownMs: 30_000 };

/** Where cooldowns are shared between instances (Redis), if anywhere. */
export interface CooldownBroadcast {
  publish(deployment: string, until: number): void;
  onCooldown(listener: (deployment: string, until: number) => void): void;
}

interface State {
  consecutiveFailures: number;
  /** Requests among the consecutive failures: one request's retries alone never open the circuit. */
  failingRequests: number;
  lastFailingRequest: string | undefined;
  coolingUntil: number;
  /** A half-open probe is in flight: others keep skipping the deployment until it answers. */
  probing: boolean;
  inFlight: number;
  /** Moving average of time to first byte, for the least-latency strategy. */
  ttftMs: number | undefined;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
}

export interface DeploymentState {
  state: 'ok' | 'cooling' | 'probing';
  coolingUntil: number | undefined;
  consecutiveFailures: number;
  inFlight: number;
  ttftMs: number | undefined;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
}

export function deploymentKey(deployment: Deployment): string {
  return `${deployment.provider.name}/${deployment.model}`;
}

/**
 * Each deployment's circuit breaker and load: consecutive failures open a cooldown during which
 * the deployment is skipped; when it ends one request probes it (half-open) and its answer closes
 * or reopens the circuit. Also counts requests in flight (for concurrency caps) and keeps a moving
 * average of time to first byte (for least-latency routing). Cooldowns reach other instances
 * through the broadcast when there is one.
 */
export class DeploymentHealth {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly settings: CooldownSettings = DEFAULT_COOLDOWN,
    private readonly broadcast?: CooldownBroadcast,
    private readonly now: () => number = Date.now,
  ) {
    broadcast?.onCooldown((key, until) => {
      const state = this.stateOf(key);
      if (until > state.coolingUntil) state.coolingUntil = until;
    });
  }

  private stateOf(key: string): State {
    let state = this.states.get(key);
    if (!state) {
      state = { consecutiveFailures: 0, failingRequests: 0, lastFailingRequest: undefined, coolingUntil: 0, probing: false, inFlight: 0, ttftMs: undefined, lastError: undefined, lastErrorAt: undefined };
      this.states.set(key, state);
    }
    return state;
  }

  /** Whether a request may go to the deployment now; claims the half-open probe when the cooldown just ended. */
  tryAcquire(deployment: Deployment, maxConcurrency: number | undefined): boolean {
    const state = this.stateOf(deploymentKey(deployment));
    if (maxConcurrency !== undefined && state.inFlight >= maxConcurrency) return false;
    if (state.coolingUntil > 0) {
      if (this.now() < state.coolingUntil || state.probing) return false;
      state.probing = true;
    }
    state.inFlight++;
    return true;
  }

  release(deployment: Deployment): void {
    const state = this.stateOf(deploymentKey(deployment));
    state.inFlight = Math.max(0, state.inFlight - 1);
  }

  succeeded(deployment: Deployment, ttftMs: number): void {
    const state = this.stateOf(deploymentKey(deployment));
    state.consecutiveFailures = 0;
    state.failingRequests = 0;
    state.lastFailingRequest = undefined;
    state.coolingUntil = 0;
    state.probing = false;
    state.ttftMs = state.ttftMs === undefined ? ttftMs : state.ttftMs * 0.8 + ttftMs * 0.2;
  }

  /**
   * A failure that says something about the deployment (5xx, timeout, connection, 429), not about
   * the request. The circuit opens after `failures` consecutive failures from at least two
   * requests, so one request that a deployment cannot serve does not take it away from everyone.
   */
  failed(deployment: Deployment, reason: string, requestId: string): void {
    const key = deploymentKey(deployment);
    const state = this.stateOf(key);
    state.consecutiveFailures++;
    if (state.lastFailingRequest !== requestId) {
      state.failingRequests++;
      state.lastFailingRequest = requestId;
    }
    state.lastError = reason;
    state.lastErrorAt = this.now();
    if (state.probing || (state.consecutiveFailures >= this.settings.failures && state.failingRequests >= 2)) {
      state.probing = false;
      state.coolingUntil = this.now() + this.settings.cooldownMs;
      this.broadcast?.publish(key, state.coolingUntil);
    }
  }

  /** Whether the deployment is skipped right now (cooling down, or its probe is out). */
  isCooling(deployment: Deployment): boolean {
    const state = this.states.get(deploymentKey(deployment));
    if (!state || state.coolingUntil === 0) return false;
    return this.now() < state.coolingUntil || state.probing;
  }

  ttft(deployment: Deployment): number | undefined {
    return this.states.get(deploymentKey(deployment))?.ttftMs;
  }

  /** When the earliest of these deployments can be tried again. */
  nextAvailable(deployments: readonly Deployment[]): number | undefined {
    let earliest: number | undefined;
    for (const d of deployments) {
      const until = this.states.get(deploymentKey(d))?.coolingUntil ?? 0;
      if (until > 0 && (earliest === undefined || until < earliest)) earliest = until;
    }
    return earliest;
  }

  describe(deployment: Deployment): DeploymentState {
    const s = this.states.get(deploymentKey(deployment));
    const cooling = s ? this.isCooling(deployment) : false;
    return {
      state: !cooling ? 'ok' : s!.probing ? 'probing' : 'cooling',
      coolingUntil: s && s.coolingUntil > 0 ? s.coolingUntil : undefined,
      consecutiveFailures: s?.consecutiveFailures ?? 0,
      inFlight: s?.inFlight ?? 0,
      ttftMs: s?.ttftMs,
      lastError: s?.lastError,
      lastErrorAt: s?.lastErrorAt,
    };
  }
}
