/** Readers of /proc: CPU time of a process and of the machine, the noise meter, memory. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export let clockTicks = 100;

/** Reads the kernel's clock tick rate (CLK_TCK) once, before any tick is converted. */
export function initClockTicks(): void {
  clockTicks = readClockTicks();
}

export function readClockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(r.stdout?.trim());
  return r.status === 0 && Number.isInteger(value) && value > 0 ? value : 100;
}

/** utime and stime of the whole process (all threads), in clock ticks. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** utime + stime of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** Busy ticks (user+nice+system+irq+softirq+steal) and steal ticks: of all cores, and per core. */
export function systemTicks(): { all: { busy: number; steal: number }; cores: Map<number, number> } {
  const cores = new Map<number, number>();
  let all = { busy: 0, steal: 0 };
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = line.match(/^cpu(\d*)\s+(.*)$/);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0);
    if (m[1] === '') all = { busy, steal: f[7] || 0 };
    else cores.set(Number(m[1]), busy);
  }
  return { all, cores };
}

/**
 * Measures, over stretches of the run, how much CPU went to anything but our three processes
 * (other processes on the machine, the hypervisor's steal): noise to read the numbers with. When
 * pinned, also per core: core 0 minus the gateway, core 1 minus the upstream and this process.
 */
export class NoiseMeter {
  foreignTicks = 0;
  stealTicks = 0;
  core0ForeignTicks = 0;
  core1ForeignTicks = 0;
  wallMs = 0;
  private start: { sys: ReturnType<typeof systemTicks>; gw: number; up: number; self: number; t: number } | undefined;

  constructor(private readonly pids: () => { gateway: number; upstream: number }) {}

  private read(pid: number): number {
    try {
      return cpuTicks(pid);
    } catch {
      return 0;
    }
  }

  begin(): void {
    const { gateway, upstream } = this.pids();
    this.start = { sys: systemTicks(), gw: this.read(gateway), up: this.read(upstream), self: this.read(process.pid), t: performance.now() };
  }

  end(): void {
    const start = this.start;
    if (!start) return;
    const { gateway, upstream } = this.pids();
    const sys = systemTicks();
    const gw = this.read(gateway) - start.gw;
    const rest = this.read(upstream) - start.up + this.read(process.pid) - start.self;
    this.foreignTicks += Math.max(0, sys.all.busy - start.sys.all.busy - gw - rest);
    this.stealTicks += sys.all.steal - start.sys.all.steal;
    const core = (n: number): number => (sys.cores.get(n) ?? 0) - (start.sys.cores.get(n) ?? 0);
    this.core0ForeignTicks += Math.max(0, core(0) - gw);
    this.core1ForeignTicks += Math.max(0, core(1) - rest);
    this.wallMs += performance.now() - start.t;
    this.start = undefined;
  }

  private pct(ticks: number): number {
    return this.wallMs > 0 ? (100 * ticksToMs(ticks)) / this.wallMs : 0;
  }

  /** In % of one core. */
  foreignPct(): number {
    return this.pct(this.foreignTicks);
  }

  stealPct(): number {
    return this.pct(this.stealTicks);
  }

  core0Pct(): number {
    return this.pct(this.core0ForeignTicks);
  }

  core1Pct(): number {
    return this.pct(this.core1ForeignTicks);
  }
}

export function ticksToMs(ticks: number): number {
  return (ticks * 1000) / clockTicks;
}

export interface Memory {
  rssMB: number;
  hwmMB: number;
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'))?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}
