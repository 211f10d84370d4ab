import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

const TYPE = 'opensq-metrics';

/** A worker that has not handed over its metrics by then fails the scrape rather than leave its share out unseen. */
const COLLECT_TIMEOUT_MS = 5000;

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

type Message =
  | { type: typeof TYPE; op: 'ready' }
  | { type: typeof TYPE; op: 'scrape'; id: number }
  | { type: typeof TYPE; op: 'scraped'; id: number; text: string }
  | { type: typeof TYPE; op: 'scrape-failed'; id: number; error: string }
  | { type: typeof TYPE; op: 'collect'; round: number }
  | { type: typeof TYPE; op: 'collected'; round: number; metrics: WorkerMetrics };

/**
 * In a worker of `serve --workers N`: hands this worker's registry to the primary when it collects,
 * and scrapes the whole cluster through it. Only a scrape crosses the IPC channel; the counting on
 * the request path stays in this process.
 */
export class ClusterMetrics {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();

  constructor(registry: Registry) {
    process.on('message', (message: Message) => {
      if (message?.type !== TYPE) return;
      if (message.op === 'collect') {
        // A registry that fails to collect sends nothing: the primary's timeout fails the scrape.
        registry.getMetricsAsJSON().then(
          (metrics) => process.send?.({ type: TYPE, op: 'collected', round: message.round, metrics } satisfies Message),
          () => {},
        );
      } else if (message.op === 'scraped' || message.op === 'scrape-failed') {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.op === 'scraped') waiter?.resolve(message.text);
        else waiter?.reject(new Error(message.error));
      }
    });
    process.send?.({ type: TYPE, op: 'ready' } satisfies Message);
  }

  /** Every worker's metrics, summed per series (or as each metric's `aggregator` says), in Prometheus text. */
  scrape(): Promise<string> {
    return new Promise((resolve, reject) => {
      const id = ++this.next;
      // The primary always answers (it has its own timeout); this one only guards a primary gone away.
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the primary process did not answer'));
      }, 2 * COLLECT_TIMEOUT_MS);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      this.waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      process.send!({ type: TYPE, op: 'scrape', id } satisfies Message);
    });
  }
}

interface Round {
  id: number;
  pending: Set<Worker>;
  responses: WorkerMetrics[];
  done: Promise<string>;
  finish: () => void;
}

/**
 * In the primary: answers a worker's scrape by collecting every ready worker's registry and folding
 * them with prom-client's `AggregatorRegistry.aggregate`. Scrapes that arrive while a collection is
 * under way share it, so a flood of scrapes costs the workers one collection at a time. A worker
 * that exits mid-collection is left out (its counters went with it, as on any restart).
 */
export function serveMetricsToWorkers(): void {
  const ready = new Set<Worker>();
  let rounds = 0;
  let current: Round | undefined;

  const collect = (): Promise<string> => {
    if (current) return current.done;
    let resolve!: (text: string) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const round: Round = { id: ++rounds, pending: new Set(), responses: [], done, finish: () => {} };
    const timer = setTimeout(() => {
      if (current === round) current = undefined;
      reject(new Error(`${round.pending.size} worker(s) did not hand over their metrics in time`));
    }, COLLECT_TIMEOUT_MS);
    round.finish = () => {
      if (round.pending.size > 0 || current !== round) return;
      current = undefined;
      clearTimeout(timer);
      // In a promise: a throw while folding fails this scrape, not the primary.
      Promise.resolve(round.responses)
        .then((responses) => AggregatorRegistry.aggregate(responses).metrics())
        .then(resolve, reject);
    };
    current = round;
    for (const worker of ready) {
      if (!worker.isConnected()) continue;
      round.pending.add(worker);
      worker.send({ type: TYPE, op: 'collect', round: round.id } satisfies Message);
    }
    round.finish();
    return done;
  };

  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type !== TYPE) return;
    if (message.op === 'ready') ready.add(worker);
    else if (message.op === 'collected' && current?.id === message.round && current.pending.delete(worker)) {
      current.responses.push(message.metrics);
      current.finish();
    } else if (message.op === 'scrape') {
      const reply = (answer: Message): void => {
        if (worker.isConnected()) worker.send(answer);
      };
      collect().then(
        (text) => reply({ type: TYPE, op: 'scraped', id: message.id, text }),
        (error: Error) => reply({ type: TYPE, op: 'scrape-failed', id: message.id, error: error.message }),
      );
    }
  });
  cluster.on('exit', (worker) => {
    ready.delete(worker);
    if (current?.pending.delete(worker)) current.finish();
  });
}
