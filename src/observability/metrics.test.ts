import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Model } from '../routing/catalog.js';
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
