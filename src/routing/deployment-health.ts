import type { Deployment } from './catalog.js';
import { OutcomeWindow } from './outcome-window.js';

/** When a deployment's circuit opens, and what pauses it. */
export interface CooldownSettings {
  /** Consecutive failed requests (distinct requests, at least 3) that open the circuit. */
  failures: number;
  cooldownMs: number;
  /** The share of failed requests over the window (0..1) that opens the circuit... */
  failureRate: number;
  windowMs: number;
  /** ...once the window holds at least this many requests. */
  minRequests: number;
  /** An upstream 429 whose Retry-After is at most this pauses the deployment for that long instead. */
  maxPauseMs: number;
}

/** Five failed requests in a row: one prompt that always fails, sent again by an SDK's two retries, is not enough. */
export const DEFAULT_COOLDOWN: CooldownSettings = { failures: 5, cooldownMs: 30_000, failureRate: 0.5, windowMs: 30_000, minRequests: 20, maxPauseMs: 60_000 };

/** The fewest consecutive failed requests that may open a circuit: never one request's own faults. */
export const MIN_CONSECUTIVE_FAILURES = 3;

/** Why a deployment is skipped until `until`: a cooldown (probed when it ends) or a 429's pause (just ends). */
export type HoldKind = 'cooldown' | 'pause';

/** Where cooldowns are shared between instances (Redis), if anywhere. */
export interface CooldownBroadcast {
  publish(deployment: string, until: number, kind: HoldKind): void;
  onCooldown(listener: (deployment: string, until: number, kind: HoldKind) => void): void;
}

/** Failing requests remembered per deployment, so one request's retries count once. */
const REMEMBERED_FAILURES = 64;

interface State {
  /** Distinct requests that failed since the last success. */
  consecutiveFailures: number;
  failedRequests: Set<string>;
  window: OutcomeWindow;
  coolingUntil: number;
  /** Set by an upstream 429 with a short Retry-After: skipped until then, with no probe after. */
  pausedUntil: number;
  /** A half-open probe is in flight: others keep skipping the deployment until it answers. */
  probing: boolean;
  inFlight: number;
  /** Moving average of time to first byte, for the least-latency strategy. */
  ttftMs: number | undefined;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
}

export interface DeploymentState {
  state: 'ok' | 'cooling' | 'probing' | 'paused';
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
 * Each deployment's circuit breaker and load. Outcomes are counted per request, never per attempt:
 * the circuit opens when the failure rate over a window passes `failureRate` with at least
 * `minRequests` requests in it, or after `failures` consecutive failed requests, so no single
 * request (however often it is retried) takes a deployment away from everyone. An open circuit is
 * a cooldown during which the deployment is skipped; when it ends one request probes it
 * (half-open) and its answer closes or reopens the circuit. An upstream 429 with a short
 * Retry-After only pauses the deployment for that long. Also counts requests in flight (for
 * concurrency caps) and keeps a moving average of time to first byte (for least-latency routing).
 * Cooldowns and pauses reach other instances through the broadcast when there is one.
 */
export class DeploymentHealth {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly settings: CooldownSettings = DEFAULT_COOLDOWN,
    private readonly broadcast?: CooldownBroadcast,
    private readonly now: () => number = Date.now,
  ) {
    broadcast?.onCooldown((key, until, kind) => {
      const state = this.stateOf(key);
      if (kind === 'pause') state.pausedUntil = Math.max(state.pausedUntil, until);
      else if (until > state.coolingUntil) state.coolingUntil = until;
    });
  }

  private stateOf(key: string): State {
    let state = this.states.get(key);
    if (!state) {
      state = {
        consecutiveFailures: 0,
        failedRequests: new Set(),
        window: new OutcomeWindow(this.settings.windowMs),
        coolingUntil: 0,
        pausedUntil: 0,
        probing: false,
        inFlight: 0,
        ttftMs: undefined,
        lastError: undefined,
        lastErrorAt: undefined,
      };
      this.states.set(key, state);
    }
    return state;
  }

  /** Whether a request may go to the deployment now; claims the half-open probe when the cooldown just ended. */
  tryAcquire(deployment: Deployment, maxConcurrency: number | undefined): boolean {
    const state = this.stateOf(deploymentKey(deployment));
    if (maxConcurrency !== undefined && state.inFlight >= maxConcurrency) return false;
    const now = this.now();
    if (state.pausedUntil > now) return false;
    if (state.coolingUntil > 0) {
      if (now < state.coolingUntil || state.probing) return false;
      state.probing = true;
    }
    state.inFlight++;
    return true;
  }

  /**
   * "Panic" routing, for when every one of `deployments` is skipped: takes the one under its
   * concurrency cap whose cooldown or pause ends first, so a model is never left with nothing to
   * route to because of cooldowns. Undefined when all are at their caps.
   */
  acquireSoonest(deployments: readonly Deployment[]): Deployment | undefined {
    let best: Deployment | undefined;
    let bestUntil = Infinity;
    for (const d of deployments) {
      const state = this.stateOf(deploymentKey(d));
      if (d.maxConcurrency !== undefined && state.inFlight >= d.maxConcurrency) continue;
      const until = Math.max(state.coolingUntil, state.pausedUntil);
      if (until < bestUntil) {
        best = d;
        bestUntil = until;
      }
    }
    if (best) this.stateOf(deploymentKey(best)).inFlight++;
    return best;
  }

  release(deployment: Deployment): void {
    const state = this.stateOf(deploymentKey(deployment));
    state.inFlight = Math.max(0, state.inFlight - 1);
  }

  /** The deployment's first byte came after `ttftMs`. */
  responded(deployment: Deployment, ttftMs: number): void {
    const state = this.stateOf(deploymentKey(deployment));
    state.ttftMs = state.ttftMs === undefined ? ttftMs : state.ttftMs * 0.8 + ttftMs * 0.2;
  }

  /** A request the deployment served to the end: closes the circuit. */
  succeeded(deployment: Deployment): void {
    const state = this.stateOf(deploymentKey(deployment));
    state.window.add(this.now(), false);
    state.consecutiveFailures = 0;
    state.failedRequests.clear();
    state.coolingUntil = 0;
    state.probing = false;
  }

  /** A request that ended with no verdict on the deployment (its client left): frees a probe it held. */
  abandoned(deployment: Deployment): void {
    this.stateOf(deploymentKey(deployment)).probing = false;
  }

  /**
   * A failure that says something about the deployment (5xx, timeout, connection), not about the
   * request; a request's further failures on the same deployment count once.
   */
  failed(deployment: Deployment, reason: string, requestId: string): void {
    const key = deploymentKey(deployment);
    const state = this.stateOf(key);
    const now = this.now();
    state.lastError = reason;
    state.lastErrorAt = now;
    const counted = state.failedRequests.has(requestId);
    if (!counted) {
      if (state.failedRequests.size >= REMEMBERED_FAILURES) state.failedRequests.delete(state.failedRequests.values().next().value!);
      state.failedRequests.add(requestId);
      state.consecutiveFailures++;
      state.window.add(now, true);
    }
    if (state.probing || (!counted && this.tripped(state, now))) {
      state.probing = false;
      state.coolingUntil = now + this.settings.cooldownMs;
      state.window.clear();
      this.broadcast?.publish(key, state.coolingUntil, 'cooldown');
    }
  }

  private tripped(state: State, now: number): boolean {
    if (state.consecutiveFailures >= Math.max(MIN_CONSECUTIVE_FAILURES, this.settings.failures)) return true;
    const { requests, failures } = state.window.totals(now);
    return requests >= this.settings.minRequests && failures >= requests * this.settings.failureRate;
  }

  /**
   * An upstream 429 with a Retry-After of `retryAfterMs`: a short one pauses the deployment for
   * that long and is no failure; false when it is too long to be a pause (the caller counts it).
   */
  paused(deployment: Deployment, retryAfterMs: number): boolean {
    if (retryAfterMs > this.settings.maxPauseMs) return false;
    const key = deploymentKey(deployment);
    const state = this.stateOf(key);
    const until = this.now() + retryAfterMs;
    if (until > state.pausedUntil) {
      state.pausedUntil = until;
      this.broadcast?.publish(key, until, 'pause');
    }
    return true;
  }

  /** Whether the deployment is skipped right now (cooling down, its probe out, or paused). */
  isCooling(deployment: Deployment): boolean {
    const state = this.states.get(deploymentKey(deployment));
    if (!state) return false;
    const now = this.now();
    if (state.pausedUntil > now) return true;
    if (state.coolingUntil === 0) return false;
    return now < state.coolingUntil || state.probing;
  }

  ttft(deployment: Deployment): number | undefined {
    return this.states.get(deploymentKey(deployment))?.ttftMs;
  }

  describe(deployment: Deployment): DeploymentState {
    const s = this.states.get(deploymentKey(deployment));
    const cooling = s ? this.isCooling(deployment) : false;
    const paused = s !== undefined && s.pausedUntil > this.now();
    const until = s ? Math.max(s.coolingUntil, s.pausedUntil) : 0;
    return {
      state: !cooling ? 'ok' : paused && s!.pausedUntil >= s!.coolingUntil ? 'paused' : s!.probing ? 'probing' : 'cooling',
      coolingUntil: until > 0 ? until : undefined,
      consecutiveFailures: s?.consecutiveFailures ?? 0,
      inFlight: s?.inFlight ?? 0,
      ttftMs: s?.ttftMs,
      lastError: s?.lastError,
      lastErrorAt: s?.lastErrorAt,
    };
  }
}
