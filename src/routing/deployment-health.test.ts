import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../core/errors.js';
import type { Deployment, Model } from './catalog.js';
import { type CooldownSettings, DEFAULT_COOLDOWN, DeploymentHealth } from './deployment-health.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { Router } from './router.js';

function deployment(name: string, maxConcurrency?: number): Deployment {
  return { provider: { name } as Deployment['provider'], model: 'm', priority: 0, weight: 1, maxConcurrency };
}

function clocked(settings: Partial<CooldownSettings> = {}) {
  const clock = { now: 1_000_000 };
  const health = new DeploymentHealth({ ...DEFAULT_COOLDOWN, failures: 3, ...settings }, undefined, () => clock.now);
  return { clock, health };
}

describe('deployment health', () => {
  it("counts one request's failures once, however often it is retried", () => {
    const { health } = clocked();
    const d = deployment('a');
    for (let i = 0; i < 10; i++) health.failed(d, 'cut', 'req-poison');
    assert.equal(health.isCooling(d), false);
    assert.equal(health.describe(d).consecutiveFailures, 1);
  });

  it('opens after consecutive failures of three distinct requests, not two', () => {
    const { health } = clocked();
    const d = deployment('a');
    health.failed(d, 'x', 'r1');
    health.failed(d, 'x', 'r2');
    health.failed(d, 'x', 'r1');
    assert.equal(health.isCooling(d), false, 'two requests');
    health.failed(d, 'x', 'r3');
    assert.equal(health.isCooling(d), true, 'three requests');
  });

  it('never opens on fewer than three requests, whatever the setting says', () => {
    const { health } = clocked({ failures: 1 });
    const d = deployment('a');
    health.failed(d, 'x', 'r1');
    health.failed(d, 'x', 'r2');
    assert.equal(health.isCooling(d), false);
  });

  it('a success in between resets the consecutive count', () => {
    const { health } = clocked();
    const d = deployment('a');
    health.failed(d, 'x', 'r1');
    health.failed(d, 'x', 'r2');
    health.succeeded(d);
    health.failed(d, 'x', 'r3');
    assert.equal(health.isCooling(d), false);
  });

  it('opens on the failure rate over the window once it holds the minimum volume', () => {
    const { health } = clocked({ failures: 1000, minRequests: 10, failureRate: 0.5 });
    const d = deployment('a');
    for (let i = 0; i < 4; i++) {
      health.succeeded(d);
      health.failed(d, 'x', `r${i}`);
    }
    health.succeeded(d);
    assert.equal(health.isCooling(d), false, '4 of 9: under the volume and the rate');
    health.failed(d, 'x', 'r9');
    assert.equal(health.isCooling(d), true, '5 of 10');
  });

  it('forgets failures older than the window', () => {
    const { clock, health } = clocked({ failures: 1000, minRequests: 10, failureRate: 0.5, windowMs: 10_000 });
    const d = deployment('a');
    for (let i = 0; i < 9; i++) health.failed(d, 'x', `old${i}`);
    clock.now += 11_000;
    health.succeeded(d);
    for (let i = 0; i < 4; i++) health.succeeded(d);
    health.failed(d, 'x', 'new');
    assert.equal(health.isCooling(d), false, 'only 1 of 6 recent requests failed');
  });

  it('pauses a deployment for a short Retry-After, without a probe after it or a failure counted', () => {
    const { clock, health } = clocked();
    const d = deployment('a');
    assert.equal(health.paused(d, 1000), true);
    assert.equal(health.tryAcquire(d, undefined), false);
    assert.equal(health.describe(d).state, 'paused');
    assert.equal(health.describe(d).consecutiveFailures, 0);
    clock.now += 1000;
    assert.equal(health.tryAcquire(d, undefined), true);
    assert.equal(health.tryAcquire(d, undefined), true, 'no half-open probe: the pause just ends');
  });

  it('a Retry-After longer than a minute is no pause', () => {
    const { health } = clocked();
    const d = deployment('a');
    assert.equal(health.paused(d, 61_000), false);
    assert.equal(health.isCooling(d), false);
  });

  it('panic picks the deployment whose cooldown or pause ends first, skipping those at their cap', () => {
    const { clock, health } = clocked({ cooldownMs: 30_000 });
    const [a, b, c] = [deployment('a'), deployment('b', 1), deployment('c')];
    for (const r of ['r1', 'r2', 'r3']) health.failed(a, 'x', r);
    clock.now += 5_000;
    for (const r of ['r1', 'r2', 'r3']) health.failed(c, 'x', r);
    health.paused(b, 10_000);
    assert.equal(health.acquireSoonest([a, b, c]), b, 'its pause ends in 10 s, before both cooldowns');
    assert.equal(health.acquireSoonest([a, b, c]), a, 'b is at its cap now; a cools 5 s less than c');
    assert.equal(health.acquireSoonest([deployment('capped', 0)]), undefined);
  });

  it('a probe left by a request that ended without a verdict is freed', () => {
    const { clock, health } = clocked({ cooldownMs: 1000 });
    const d = deployment('a');
    for (const r of ['r1', 'r2', 'r3']) health.failed(d, 'x', r);
    clock.now += 1000;
    assert.equal(health.tryAcquire(d, undefined), true, 'the probe');
    assert.equal(health.tryAcquire(d, undefined), false, 'others wait for it');
    health.abandoned(d);
    assert.equal(health.tryAcquire(d, undefined), true, 'the next request probes');
  });
});

describe('router', () => {
  const model = (...usable: Deployment[]) => ({ id: 'm', usable, routing: 'weighted' }) as unknown as Model;
  const fast = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 1 };

  it('routes a model whose every deployment cools to the one that ends first, and says so', async () => {
    const { health } = clocked();
    const d = deployment('a');
    for (const r of ['r1', 'r2', 'r3']) health.failed(d, 'x', r);
    const panics: string[] = [];
    const router = new Router(health, fast, { retried() {}, fellBack() {}, panicked: (m, to) => panics.push(`${m.id} ${to.provider.name}`) });
    const routed = await router.run(model(d), 'req', new AbortController().signal, async () => 'ok');
    assert.equal(routed.ok, true);
    assert.equal(routed.attempts[0].panic, true);
    assert.deepEqual(panics, ['m a']);
  });

  it('answers 503 model_unavailable when every deployment is at its concurrency cap', async () => {
    const { health } = clocked();
    const d = deployment('a', 0);
    const routed = await new Router(health, fast).run(model(d), 'req', new AbortController().signal, async () => 'ok');
    assert.equal(routed.ok, false);
    assert.equal(!routed.ok && routed.error.code, 'model_unavailable');
  });

  it('counts a request that fails on every attempt once, and a short 429 as a pause', async () => {
    const { health } = clocked();
    const d = deployment('a');
    const router = new Router(health, fast);
    await router.run(model(d), 'req-1', new AbortController().signal, async () => {
      throw new ApiError('upstream_error', 'boom');
    });
    assert.equal(health.describe(d).consecutiveFailures, 1);
    await router.run(model(d), 'req-2', new AbortController().signal, async () => {
      throw new ApiError('rate_limit_exceeded', 'slow down', { retryAfter: '0' });
    });
    assert.equal(health.describe(d).consecutiveFailures, 1, 'the 429 paused it and was no failure');
  });

  it('never blames a deployment for a failure after the client left', async () => {
    const { health } = clocked();
    const d = deployment('a');
    const router = new Router(health, fast);
    const served = async (signal: AbortSignal) => {
      const routed = await router.run(model(d), 'req', signal, async () => 'stream');
      assert.equal(routed.ok, true);
      return routed as Extract<typeof routed, { ok: true }>;
    };
    const controller = new AbortController();
    const left = await served(controller.signal);
    controller.abort();
    left.done(new ApiError('upstream_timeout', 'the client went away'));
    assert.equal(health.describe(d).consecutiveFailures, 0);
    (await served(new AbortController().signal)).done(new ApiError('upstream_error', 'cut midway'));
    assert.equal(health.describe(d).consecutiveFailures, 1, 'the same failure while the client is there counts');
  });
});
