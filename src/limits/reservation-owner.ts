import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { processAlive } from '../core/process-alive.js';

/**
 * Who holds a credit reservation: `<host>|<pid>|<random>`. The host names this machine and, on
 * Linux, this process's PID namespace, so two containers that share a host name (host networking)
 * are told apart; the random part tells a process from an earlier one that had its pid.
 */
export interface ReservationOwner {
  /** This process, as written in the reservations it takes. */
  readonly id: string;
  /** Of the given owners, those known dead: on this host, and their process is gone (or its pid is now ours). */
  dead(owners: readonly string[]): string[];
}

function hostOf(): string {
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux: the host name alone.
  }
  return `${os.hostname()}${namespace ? `#${namespace}` : ''}`.replaceAll('|', '_');
}

export function reservationOwner(): ReservationOwner {
  const host = hostOf();
  const id = `${host}|${process.pid}|${randomBytes(6).toString('hex')}`;
  return {
    id,
    dead(owners) {
      const dead: string[] = [];
      for (const owner of owners) {
        const [ownerHost, pidText] = owner.split('|');
        const pid = Number(pidText);
        if (owner === id || ownerHost !== host || !Number.isInteger(pid) || pid <= 0) continue;
        if (pid === process.pid || !processAlive(pid)) dead.push(owner);
      }
      return dead;
    },
  };
}
