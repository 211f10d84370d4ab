import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';

const BOUNDS = [0.005, 0.01, 0.1, 1];
/** On a bound, between bounds, below the first and above the last. */
const SAMPLES: Array<[string, number]> = [['chat', 0.005], ['chat', 0.007], ['chat', 0.0001], ['chat', 3], ['embed', 0.5], ['chat', 0.1], ['embed', 1]];

function both(): { plain: Registry; reference: Registry } {
  const plain = new Registry();
  const reference = new Registry();
  const mine = new PlainHistogram('h_seconds', 'A histogram.', 'endpoint', BOUNDS);
  mine.register(plain);
  const theirs = new Histogram({ name: 'h_seconds', help: 'A histogram.', labelNames: ['endpoint'], buckets: BOUNDS, registers: [reference] });
  for (const [endpoint, value] of SAMPLES) {
    mine.observe(endpoint, value);
    theirs.observe({ endpoint }, value);
  }
  return { plain, reference };
}

describe('PlainHistogram', () => {
  it('prints exactly what prom-client’s Histogram prints for the same observations', async () => {
    const { plain, reference } = both();
    const text = await plain.metrics();
    assert.equal(text, await reference.metrics());
    assert.match(text, /^h_seconds_bucket\{le="0.01",endpoint="chat"\} 3$/m);
  });

  it('aggregates across workers as prom-client’s Histogram does', async () => {
    const a = both();
    const b = both();
    const mine = await AggregatorRegistry.aggregate([await a.plain.getMetricsAsJSON(), await b.plain.getMetricsAsJSON()]).metrics();
    const theirs = await AggregatorRegistry.aggregate([await a.reference.getMetricsAsJSON(), await b.reference.getMetricsAsJSON()]).metrics();
    assert.equal(mine, theirs);
    assert.match(mine, /^h_seconds_count\{endpoint="chat"\} 10$/m);
  });

  it('is empty again after a reset', async () => {
    const { plain } = both();
    plain.resetMetrics();
    assert.equal(await plain.metrics(), '# HELP h_seconds A histogram.\n# TYPE h_seconds histogram\n');
  });
});
