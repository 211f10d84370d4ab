import cluster from 'node:cluster';
import type { CooldownBroadcast, HoldKind } from './deployment-health.js';

const TYPE = 'opensq-cooldown';

interface Message {
  type: typeof TYPE;
  deployment: string;
  until: number;
  kind: HoldKind;
}

const isMessage = (m: unknown): m is Message => (m as Message | null)?.type === TYPE && typeof (m as Message).deployment === 'string' && typeof (m as Message).until === 'number';

/**
 * A worker of `serve --workers N` without Redis shares its cooldowns and pauses through the
 * primary, as instances do through Redis: otherwise each worker would send a failing deployment
 * its own run of failures, and a rate-limited one its own requests, before skipping it.
 */
export class WorkerCooldowns implements CooldownBroadcast {
  private readonly listeners: Array<(deployment: string, until: number, kind: HoldKind) => void> = [];

  constructor() {
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      for (const listener of this.listeners) listener(message.deployment, message.until, message.kind === 'pause' ? 'pause' : 'cooldown');
    });
  }

  publish(deployment: string, until: number, kind: HoldKind): void {
    process.send?.({ type: TYPE, deployment, until, kind } satisfies Message);
  }

  onCooldown(listener: (deployment: string, until: number, kind: HoldKind) => void): void {
    this.listeners.push(listener);
  }
}

/** In the primary: passes a worker's cooldown to the others, and the ones still running to a worker once it listens (a restarted one). */
export function relayCooldowns(): void {
  const running = new Map<string, Message>();
  cluster.on('message', (sender, message: unknown) => {
    if (!isMessage(message)) return;
    const key = `${message.kind}:${message.deployment}`;
    if ((running.get(key)?.until ?? 0) < message.until) running.set(key, message);
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && worker !== sender && worker.isConnected()) worker.send(message);
  });
  cluster.on('listening', (worker) => {
    const now = Date.now();
    for (const [key, message] of running) {
      if (message.until <= now) running.delete(key);
      else if (worker.isConnected()) worker.send(message);
    }
  });
}
