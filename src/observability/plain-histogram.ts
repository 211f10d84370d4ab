import type { MetricValueWithName, Registry } from 'prom-client';

interface Series {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram with one label, counted in plain arrays: an observation is one map
 * lookup and an increment, with no label object hashed or validated per call (prom-client's
 * `observe` does both). prom-client reads it when /metrics is scraped, in the shape its own
 * Histogram gives, so the text and the cluster aggregation are the same.
 */
export class PlainHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(labelValue: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let series = this.series.get(labelValue);
    if (!series) this.series.set(labelValue, (series = { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }));
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  /** Registers it in `registry`, beside prom-client's own metrics. */
  register(registry: Registry): void {
    registry.registerMetric(this as never);
  }

  /** What prom-client's Histogram gives for the same observations (its `get`), for the registry to print or aggregate. */
  get(): Promise<{ name: string; help: string; type: 'histogram'; values: Array<MetricValueWithName<string>>; aggregator: 'sum' }> {
    const values: Array<MetricValueWithName<string>> = [];
    for (const [labelValue, series] of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({ labels: { le: this.bounds[i]!, [this.label]: labelValue }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', [this.label]: labelValue }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { [this.label]: labelValue }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { [this.label]: labelValue }, value: series.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    this.series = new Map();
  }
}
