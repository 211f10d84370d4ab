import { setTimeout as sleep } from 'node:timers/promises';
import { asApiError } from '../core/as-api-error.js';
import { ApiError } from '../core/errors.js';
import type { Deployment, Model } from './catalog.js';
import type { DeploymentHealth } from './deployment-health.js';
import { type RetryPolicy, retryDelay } from './retry-policy.js';

/** One upstream attempt, as response headers and logs report it. */
export interface AttemptRecord {
  provider: string;
  model: string;
  ms: number;
  error?: { code: string; status: number; message: string };
}

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
}

/** Failures that say the deployment is unwell, not that the request was wrong. */
function blamesDeployment(error: ApiError): boolean {
  return error.status >= 500 || error.status === 429 || error.code === 'upstream_timeout';
}

/**
 * Sends a request to a model's deployments: by priority, weighted or least-latency within a
 * priority; skipping deployments that are cooling down or at their concurrency cap; falling back
 * to the next deployment at once on a retryable failure and retrying one already tried after a
 * backoff (or the upstream's Retry-After); all within one attempt budget, and only before anything
 * has reached the client, which the caller guarantees by calling `run` before its first byte.
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
        const delay = retryDelay(lastError, n, this.policy);
        if (delay === undefined) break;
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          break;
        }
        pick = order.find((d) => this.acquire(d));
      }
      if (!pick) break;
      if (last) {
        if (pick === last) this.events?.retried(pick);
        else this.events?.fellBack(last, pick);
      }
      const started = performance.now();
      try {
        const value = await attempt(pick);
        const ms = performance.now() - started;
        attempts.push({ provider: pick.provider.name, model: pick.model, ms: Math.round(ms) });
        this.health.succeeded(pick, ms);
        const chosen = pick;
        return {
          ok: true,
          value,
          deployment: chosen,
          attempts,
          done: (failure) => {
            this.health.release(chosen);
            if (failure && blamesDeployment(failure)) this.health.failed(chosen, failure.message, requestId);
          },
        };
      } catch (e) {
        const error = asApiError(e);
        this.health.release(pick);
        attempts.push({ provider: pick.provider.name, model: pick.model, ms: Math.round(performance.now() - started), error: { code: error.code, status: error.status, message: error.message } });
        // A bug of ours (an exception that is no ApiError) says nothing of the deployment, and would
        // only happen again on the next one.
        if (!(e instanceof ApiError)) {
          lastError = error;
          last = pick;
          break;
        }
        if (!signal.aborted && blamesDeployment(error)) this.health.failed(pick, error.message, requestId);
        tried.add(pick);
        lastError = error;
        last = pick;
        if (!error.retryable) break;
      }
    }
    return { ok: false, error: lastError ?? this.unavailable(model), deployment: last, attempts };
  }

  private acquire(deployment: Deployment): boolean {
    return this.health.tryAcquire(deployment, deployment.maxConcurrency);
  }

  private unavailable(model: Model): ApiError {
    const next = this.health.nextAvailable(model.usable);
    const seconds = next === undefined ? 1 : Math.max(1, Math.ceil((next - Date.now()) / 1000));
    const cooling = model.usable.every((d) => this.health.isCooling(d));
    const reason = cooling ? 'every deployment is cooling down after repeated failures' : 'every deployment is at its concurrency limit';
    return new ApiError('model_unavailable', `The model \`${model.id}\` is temporarily unavailable: ${reason}. Retry after ${seconds} s.`, { retryAfter: String(seconds) });
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
