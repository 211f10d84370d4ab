import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry } from 'prom-client';
import type { Deployment, Model } from '../routing/catalog.js';
import type { DeploymentHealth } from '../routing/deployment-health.js';
import { Metrics } from './metrics.js';

const model = (id: string) => ({ id }) as Model;

/** The `opensq_requests_total` samples as `endpoint model status` → value. */
async function requests(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.registry.getSingleMetric('opensq_requests_total')!.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.endpoint} ${v.labels.model} ${v.labels.status}`, v.value]));
}

describe('Metrics', () => {
  it('counts finished requests by endpoint, model and outcome, the same before and after a scrape', async () => {
    const metrics = new Metrics({} as DeploymentHealth, () => []);
    metrics.observe('chat.completions', model('a'), 'ok', 10, null);
    metrics.observe('chat.completions', model('a'), 'ok', 10, 5);
    metrics.observe('chat.completions', model('a'), 'error', 10, null, 'upstream_error');
    metrics.observe('responses', model('b'), 'cancelled', 10, null);
    assert.deepEqual(await requests(metrics), { 'chat.completions a ok': 2, 'chat.completions a error': 1, 'responses b cancelled': 1 });
    assert.deepEqual(await requests(metrics), { 'chat.completions a ok': 2, 'chat.completions a error': 1, 'responses b cancelled': 1 }, 'a second scrape adds nothing');
    metrics.observe('chat.completions', model('a'), 'ok', 10, null);
    assert.deepEqual(await requests(metrics), { 'chat.completions a ok': 3, 'chat.completions a error': 1, 'responses b cancelled': 1 });
    assert.match(await metrics.registry.metrics(), /opensq_requests_total\{endpoint="chat.completions",model="a",status="ok"\} 3/);
  });
});

describe('Metrics of several workers, folded as the primary folds them', () => {
  const deployment = { provider: { name: 'openai' }, model: 'gpt-4o-mini' } as Deployment;
  const worker = (cooling: boolean, inFlight: number) =>
    new Metrics({ isCooling: () => cooling, describe: () => ({ inFlight }) } as unknown as DeploymentHealth, () => [deployment], { count: inFlight });

  it('sums counters, histograms and in-flight gauges; the cooling gauge is its minimum', async () => {
    const a = worker(true, 2);
    const b = worker(false, 3);
    a.observe('chat.completions', model('m'), 'ok', 10, null);
    b.observe('chat.completions', model('m'), 'ok', 10, null);
    b.observe('chat.completions', model('m'), 'ok', 10, null);
    const text = await AggregatorRegistry.aggregate([await a.registry.getMetricsAsJSON(), await b.registry.getMetricsAsJSON()]).metrics();
    assert.match(text, /^opensq_requests_total\{endpoint="chat.completions",model="m",status="ok"\} 3$/m);
    assert.match(text, /^opensq_request_duration_seconds_count\{endpoint="chat.completions"\} 3$/m);
    assert.match(text, /^opensq_requests_in_flight 5$/m);
    assert.match(text, /^opensq_deployment_in_flight\{deployment="[^"]+"\} 5$/m);
    assert.match(text, /^opensq_deployment_cooling\{deployment="[^"]+"\} 0$/m, 'one worker still sends to it');
    const both = await AggregatorRegistry.aggregate([await worker(true, 0).registry.getMetricsAsJSON(), await worker(true, 0).registry.getMetricsAsJSON()]).metrics();
    assert.match(both, /^opensq_deployment_cooling\{deployment="[^"]+"\} 1$/m, 'every worker skips it');
  });
});
