import { setTimeout as sleep } from 'node:timers/promises';
import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import type { UpstreamAttempt } from '../schema/admin-wire.js';
import type { Deployment, Model } from './catalog.js';
import type { DeploymentHealth } from './deployment-health.js';
import { type RetryPolicy, retryAfterMs, retryDelay } from './retry-policy.js';

/** One upstream attempt, as response headers, logs, the usage row and the admin API report it. */
export type AttemptRecord = UpstreamAttempt;

export type Routed<T> =
  | {
      ok: true;
      value: T;
      deployment: Deployment;
      attempts: AttemptRecord[];
      /** Call once the response has ended; pass the error if it failed after the first byte. */
      done(failure?: ApiError): void;
    }
  | { ok: false; error: ApiError; deployment: Deployment | undefined; attempts: AttemptRecord[] };

export interface RouterEvents {
  retried(deployment: Deployment): void;
  fellBack(from: Deployment, to: Deployment): void;
  /** Every deployment of `model` was cooling down or paused: `deployment` was tried anyway. */
  panicked(model: Model, deployment: Deployment): void;
}

/** Failures that say the deployment is unwell, not that the request was wrong. */
function blamesDeployment(error: ApiError): boolean {
  return error.status >= 500 || error.status === 429 || error.code === 'upstream_timeout';
}

/**
 * Sends a request to a model's deployments: by priority, weighted or least-latency within a
 * priority; skipping deployments that are cooling down, paused or at their concurrency cap; falling
 * back to the next deployment at once on a retryable failure and retrying one already tried after a
 * backoff (or the upstream's Retry-After); all within one attempt budget, and only before anything
 * has reached the client, which the caller guarantees by calling `run` before its first byte. When
 * every deployment is cooling down or paused, the one whose cooldown ends first is tried anyway
 * ("panic" routing): cooldowns never leave a model with nothing to route to. The request's outcome
 * is told to the breaker once per deployment, and nothing when its client left.
 */
export class Router {
  constructor(
    private readonly health: DeploymentHealth,
    private readonly policy: RetryPolicy,
    private readonly events?: RouterEvents,
  ) {}

  /** The deployments in the order this request should try them. */
  order(model: Model): Deployment[] {
    const usable = model.usable;
    if (usable.length <= 1) return usable;
    const out: Deployment[] = [];
    for (let i = 0; i < usable.length; ) {
      let j = i;
      while (j < usable.length && usable[j].priority === usable[i].priority) j++;
      const group = usable.slice(i, j);
      out.push(...(model.routing === 'least-latency' ? this.byLatency(group) : weightedShuffle(group)));
      i = j;
    }
    return out;
  }

  /** Whether any deployment of the model may take a request now. */
  available(model: Model): boolean {
    return model.usable.some((d) => !this.health.isCooling(d));
  }

  async run<T>(model: Model, requestId: string, signal: AbortSignal, attempt: (deployment: Deployment) => Promise<T>): Promise<Routed<T>> {
    const order = this.order(model);
    const attempts: AttemptRecord[] = [];
    const tried = new Set<Deployment>();
    let lastError: ApiError | undefined;
    let last: Deployment | undefined;
    for (let n = 0; n < this.policy.maxAttempts && !signal.aborted; n++) {
      let pick = order.find((d) => !tried.has(d) && this.acquire(d));
      if (!pick && lastError) {
        // Every deployment has been tried: retry one, after a backoff or the upstream's Retry-After.
        const delay = retryDelay({ error: lastError, retry: n, policy: this.policy });
        if (delay === undefined) break;
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          break;
        }
        pick = order.find((d) => this.acquire(d));
      }
      let panic = false;
      if (!pick) {
        pick = this.health.acquireSoonest(order);
        if (!pick) break;
        panic = true;
        this.events?.panicked(model, pick);
      }
      if (last) {
        if (pick === last) this.events?.retried(pick);
        else this.events?.fellBack(last, pick);
      }
      const started = performance.now();
      try {
        const value = await attempt(pick);
        const ms = performance.now() - started;
        attempts.push(panic ? { provider: pick.provider.name, model: pick.model, ms: Math.round(ms), panic } : { provider: pick.provider.name, model: pick.model, ms: Math.round(ms) });
        this.health.responded(pick, ms);
        const chosen = pick;
        return {
          ok: true,
          value,
          deployment: chosen,
          attempts,
          done: (failure) => {
            this.health.release(chosen);
            // After the signal fired (the client left, or the request's own total timeout ran out,
            // a slow reader's included) the outcome says nothing of the deployment.
            if (!signal.aborted && (!failure || blamesDeployment(failure))) this.settle(chosen, failure, requestId);
            else this.health.abandoned(chosen);
          },
        };
      } catch (e) {
        const error = asApiError(e);
        this.health.release(pick);
        const record: AttemptRecord = { provider: pick.provider.name, model: pick.model, ms: Math.round(performance.now() - started), error: { code: error.code, status: error.status, message: error.message } };
        if (panic) record.panic = true;
        attempts.push(record);
        // A bug of ours (an exception that is no ApiError) says nothing of the deployment, and would
        // only happen again on the next one.
        if (!(e instanceof ApiError)) {
          this.health.abandoned(pick);
          lastError = error;
          last = pick;
          break;
        }
        if (!signal.aborted && blamesDeployment(error)) this.settle(pick, error, requestId);
        else this.health.abandoned(pick);
        tried.add(pick);
        lastError = error;
        last = pick;
        if (!error.retryable) break;
      }
    }
    return { ok: false, error: lastError ?? this.unavailable(model), deployment: last, attempts };
  }

  /** Tells the breaker how the request went on `deployment`: a short 429 only pauses it. */
  private settle(deployment: Deployment, failure: ApiError | undefined, requestId: string): void {
    if (!failure) return this.health.succeeded(deployment);
    if (failure.status === 429) {
      const pause = retryAfterMs(failure.retryAfter);
      if (pause !== undefined && this.health.paused(deployment, pause)) return;
    }
    this.health.failed(deployment, failure.message, requestId);
  }

  private acquire(deployment: Deployment): boolean {
    return this.health.tryAcquire(deployment, deployment.maxConcurrency);
  }

  /** Only concurrency caps leave a model with nothing to try: cooldowns are routed through in panic. */
  private unavailable(model: Model): ApiError {
    return new ApiError('model_unavailable', `The model \`${model.id}\` is temporarily unavailable: every deployment is at its concurrency limit. Retry after 1 s.`, { retryAfter: '1' });
  }

  /** Fastest first; deployments never measured go first, so every one gets measured. */
  private byLatency(group: Deployment[]): Deployment[] {
    return [...group].sort((a, b) => (this.health.ttft(a) ?? -1) - (this.health.ttft(b) ?? -1));
  }
}

function weightedShuffle(group: Deployment[]): Deployment[] {
  const pool = [...group];
  const out: Deployment[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, d) => sum + d.weight, 0);
    let pick = Math.random() * total;
    let index = 0;
    while (index < pool.length - 1 && (pick -= pool[index].weight) > 0) index++;
    out.push(pool.splice(index, 1)[0]);
  }
  return out;
}
