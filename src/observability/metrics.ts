import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Deployment, Model } from '../routing/catalog.js';
import { type DeploymentHealth, deploymentKey } from '../routing/deployment-health.js';
import type { RouterEvents } from '../routing/router.js';
import { PlainHistogram } from './plain-histogram.js';
import { registerUpstreamPoolMetrics } from './upstream-pool-metrics.js';

const STATUSES = ['ok', 'error', 'cancelled'] as const;
type Outcomes = Record<(typeof STATUSES)[number], number>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The gateway's Prometheus metrics, served at GET /metrics. */
export class Metrics implements RouterEvents {
  readonly registry = new Registry();
  /** Finished requests by model, endpoint and outcome, counted in plain maps and handed to prom-client when /metrics is read. */
  private readonly finished = new Map<string, Map<string, Outcomes>>();
  private readonly requests = new Counter({
    name: 'opensq_requests_total',
    help: 'Requests served, by endpoint, model and outcome.',
    labelNames: ['endpoint', 'model', 'status'],
    registers: [this.registry],
    collect: () => this.flushFinished(),
  });
  private readonly errors = new Counter({ name: 'opensq_errors_total', help: 'Failed requests by error class (the error code).', labelNames: ['endpoint', 'code'], registers: [this.registry] });
  private readonly latency = new PlainHistogram('opensq_request_duration_seconds', 'Whole-request latency.', 'endpoint', LATENCY_BUCKETS);
  private readonly ttft = new PlainHistogram('opensq_time_to_first_token_seconds', 'Time to the first streamed chunk.', 'endpoint', LATENCY_BUCKETS);
  private readonly retries = new Counter({ name: 'opensq_retries_total', help: 'Upstream attempts repeated on the same deployment.', labelNames: ['deployment'], registers: [this.registry] });
  private readonly fallbacks = new Counter({ name: 'opensq_fallbacks_total', help: 'Requests moved from one deployment to another.', labelNames: ['from', 'to'], registers: [this.registry] });
  private readonly panics = new Counter({ name: 'opensq_panic_routes_total', help: 'Attempts sent to a cooling or paused deployment because every deployment of the model was.', labelNames: ['model', 'deployment'], registers: [this.registry] });

  constructor(health: DeploymentHealth, deployments: () => Iterable<Deployment>, inFlight: { count: number } = { count: 0 }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'opensq_process_' });
    this.latency.register(this.registry);
    this.ttft.register(this.registry);
    registerUpstreamPoolMetrics(this.registry);
    const registry = this.registry;
    new Gauge({
      name: 'opensq_requests_in_flight',
      help: 'Upstream-bound requests being served now (what a graceful shutdown waits for).',
      registers: [registry],
      collect() {
        this.set(inFlight.count);
      },
    });
    new Gauge({
      name: 'opensq_deployment_cooling',
      help: 'Whether a deployment is cooling down or paused (1) or serving (0); with `serve --workers N`, 1 only when every worker skips it.',
      labelNames: ['deployment'],
      registers: [registry],
      aggregator: 'min',
      collect() {
        for (const d of deployments()) this.set({ deployment: deploymentKey(d) }, health.isCooling(d) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'opensq_deployment_in_flight',
      help: 'Requests in flight per deployment.',
      labelNames: ['deployment'],
      registers: [registry],
      collect() {
        for (const d of deployments()) this.set({ deployment: deploymentKey(d) }, health.describe(d).inFlight);
      },
    });
  }

  /** One finished request. Durations in milliseconds. */
  observe(endpoint: string, model: Model, status: 'ok' | 'error' | 'cancelled', latencyMs: number, ttftMs: number | null, errorCode?: string): void {
    // Two map lookups and an increment: no label object hashed per request.
    let byEndpoint = this.finished.get(model.id);
    if (!byEndpoint) this.finished.set(model.id, (byEndpoint = new Map()));
    let outcomes = byEndpoint.get(endpoint);
    if (!outcomes) byEndpoint.set(endpoint, (outcomes = { ok: 0, error: 0, cancelled: 0 }));
    outcomes[status]++;
    this.latency.observe(endpoint, latencyMs / 1000);
    if (ttftMs !== null) this.ttft.observe(endpoint, ttftMs / 1000);
    if (errorCode) this.errors.inc({ endpoint, code: errorCode });
  }

  private flushFinished(): void {
    for (const [model, byEndpoint] of this.finished) {
      for (const [endpoint, outcomes] of byEndpoint) {
        for (const status of STATUSES) {
          if (outcomes[status] === 0) continue;
          this.requests.inc({ endpoint, model, status }, outcomes[status]);
          outcomes[status] = 0;
        }
      }
    }
  }

  retried(deployment: Deployment): void {
    this.retries.inc({ deployment: deploymentKey(deployment) });
  }

  fellBack(from: Deployment, to: Deployment): void {
    this.fallbacks.inc({ from: deploymentKey(from), to: deploymentKey(to) });
  }

  panicked(model: Model, deployment: Deployment): void {
    this.panics.inc({ model: model.id, deployment: deploymentKey(deployment) });
  }
}
