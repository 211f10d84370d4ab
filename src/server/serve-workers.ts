import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { Settings } from '../config/settings.js';
import { relayKeyChanges } from '../auth/key-change-broadcast.js';
import { serveLimitsToWorkers } from '../limits/primary-limit-store.js';
import { serveMetricsToWorkers } from '../observability/cluster-metrics.js';
import { relayCooldowns } from '../routing/worker-cooldowns.js';
import { openDatabase } from '../storage/database.js';
import { serve } from './serve.js';
import { endStartUp } from './start-up-heap.js';

/** `--workers N`: N ≥ 1, or 0 / "auto" for one per core. */
export function workerCount(raw: string): number {
  if (raw === 'auto' || raw === '0') return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--workers must be a whole number ≥ 1, 0 or "auto", got "${raw}"`);
  return n;
}

/** A worker that dies sooner than this after its start is restarted only after the same delay. */
const RESTART_BACKOFF_MS = 1000;

/**
 * `opensq serve --workers N`: the primary migrates the database once, then starts N workers, each
 * a full server on the shared port. It restarts a worker that dies, and on SIGTERM/SIGINT passes
 * the signal to every worker, waits for them to drain, and exits.
 */
export async function serveWorkers(settings: Settings, count: number): Promise<void> {
  if (cluster.isWorker) return serve(settings);
  const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  await database.close();
  if (!settings.redisUrl) {
    serveLimitsToWorkers();
    relayCooldowns();
  }
  relayKeyChanges();
  if (settings.metricsEnabled) serveMetricsToWorkers();

  let stopping = false;
  const started = new Map<Worker, number>();
  const fork = (): void => {
    started.set(cluster.fork(), Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const since = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) process.exit(0);
      return;
    }
    process.stderr.write(`opensq: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, since < RESTART_BACKOFF_MS ? RESTART_BACKOFF_MS : 0);
  });
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`opensq: ${signal}: draining ${started.size} workers\n`);
    for (const worker of started.keys()) worker.process.kill(signal);
    if (started.size === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`OpenSq primary ${process.pid}: starting ${count} workers\n`);
  for (let i = 0; i < count; i++) fork();
  endStartUp();
}
