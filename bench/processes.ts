/** Child processes: started here, always stopped here (exit, error, Ctrl-C); waiting for them to come up. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { HOST, ROOT, WATCHDOG_MS } from './config.js';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<void>;
  done: boolean;
}

const children = new Set<Child>();
export const tempDirs: string[] = [];

/** `cpu`: a core, or a `taskset` list such as "0-1"; undefined leaves the affinity this process has. */
export function launch(name: string, nodeArgs: string[], env: NodeJS.ProcessEnv, cpu: number | string | undefined, logFile?: string): Child {
  const args = [...nodeArgs];
  const command = cpu === undefined ? process.execPath : 'taskset';
  if (cpu !== undefined) args.unshift('-c', String(cpu), process.execPath);
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { ...env, BENCH_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const output: string[] = [];
  const keep = (data: Buffer): void => {
    output.push(data.toString('utf8'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile);
    proc.stdout!.pipe(log, { end: false });
    proc.stderr!.pipe(log, { end: false });
    proc.once('exit', () => setTimeout(() => log.end(), 50));
  }
  const child: Child = { name, proc, pid: proc.pid, output, exited: undefined as never, done: false };
  child.exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      child.done = true;
      children.delete(child);
      resolve();
    });
    proc.once('error', () => {
      child.done = true;
      children.delete(child);
      resolve();
    });
  });
  children.add(child);
  return child;
}

export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.done) return;
  try {
    child.proc.kill('SIGTERM');
  } catch {
    /* already gone */
  }
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([child.exited.then(() => 'exited' as const), timer])) === 'timeout' && !child.done) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    await child.exited;
  }
}

export function killAllNow(): void {
  for (const child of children) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const dir of tempDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

/** Runs a bench script's main: exit 0 when it ends, 1 (its stack on stderr) when it throws; children killed either way. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => {
      killAllNow();
      process.exit(0);
    },
    (error: Error) => {
      process.stderr.write(`${name}: ${error.stack ?? error.message}\n`);
      killAllNow();
      process.exit(1);
    },
  );
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Stops every child (and removes the temporary directories) however this process ends. Call once. */
export function installCleanup(): void {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping the child processes\n`);
      killAllNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    killAllNow();
    process.exit(1);
  });
  setTimeout(() => {
    process.stderr.write(`bench: watchdog: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`);
    killAllNow();
    process.exit(1);
  }, WATCHDOG_MS).unref();
}

export function tail(child: Child): string {
  return child.output.join('').split('\n').slice(-30).join('\n');
}

/** Data directories left behind by runs that were killed outright (their runner pid is gone). */
export function removeStaleDataDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = Number(name.match(/^opensq-bench-(\d+)-/)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = child.output.join('').match(pattern);
    if (match) return match;
    if (child.done) throw new Error(`${child.name} exited during startup:\n${tail(child)}`);
    await sleep(20);
  }
  throw new Error(`${child.name} did not start within ${timeoutMs} ms:\n${tail(child)}`);
}

export async function waitForHealth(child: Child, origin: string, timeoutMs: number): Promise<void> {
  const pool = new Pool(origin, { connections: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.done) throw new Error(`${child.name} exited during startup:\n${tail(child)}`);
      try {
        const res = await pool.request({ method: 'GET', path: '/health', headersTimeout: 1000, bodyTimeout: 1000 });
        await res.body.text();
        if (res.statusCode === 200) return;
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    throw new Error(`${child.name} did not answer ${origin}/health within ${timeoutMs} ms:\n${tail(child)}`);
  } finally {
    await pool.destroy();
  }
}
