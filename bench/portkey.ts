/**
 * Portkey's open-source gateway as the outside reference: installed by the bench itself from npm,
 * pinned, into .bench/portkey (gitignored), started pinned like OpenSq's gateway (core 0, beside
 * the fake upstream) and routed to the same fake by its `x-portkey-provider` and
 * `x-portkey-custom-host` headers. When it cannot be installed (no network, no npm) the reason is
 * returned and the bench goes on without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { BENCH_OUT, GUARD, MODEL } from './config.js';
import { type Child, freePort, launch, tail } from './processes.js';
import { CHAT_PATH, type Target, chatBody } from './requests.js';
import type { Pinning } from './servers.js';

export const PORTKEY_PACKAGE = '@portkey-ai/gateway';
export const PORTKEY_VERSION = '1.15.2';
const PORTKEY_DIR = path.join(BENCH_OUT, 'portkey');
const PORTKEY_ENTRY = path.join(PORTKEY_DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const INSTALL_TIMEOUT_MS = 180_000;

/** The entry script of the pinned Portkey, installing it first if needed; a reason when it cannot be had. */
export function installPortkey(): { entry: string } | { skipped: string } {
  if (installedVersion() === PORTKEY_VERSION) return { entry: PORTKEY_ENTRY };
  mkdirSync(PORTKEY_DIR, { recursive: true });
  writeFileSync(path.join(PORTKEY_DIR, 'package.json'), `${JSON.stringify({ private: true, dependencies: { [PORTKEY_PACKAGE]: PORTKEY_VERSION } }, null, 2)}\n`);
  // Its one install script applies patches that the published package does not ship.
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', '--no-package-lock'], {
    cwd: PORTKEY_DIR,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (npm.error) return { skipped: `npm could not run (${npm.error.message})` };
  if (npm.status !== 0) return { skipped: `npm install ${PORTKEY_PACKAGE}@${PORTKEY_VERSION} failed: ${lastLine(npm.stderr)}` };
  if (installedVersion() !== PORTKEY_VERSION) return { skipped: `npm installed no ${PORTKEY_PACKAGE}@${PORTKEY_VERSION}` };
  return { entry: PORTKEY_ENTRY };
}

function installedVersion(): string | undefined {
  const manifest = path.join(PORTKEY_DIR, 'node_modules', '@portkey-ai', 'gateway', 'package.json');
  if (!existsSync(manifest) || !existsSync(PORTKEY_ENTRY)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1)?.slice(0, 200) ?? 'no output';
}

export interface Portkey {
  child: Child;
  origin: string;
  target: Target;
}

/** Starts the installed Portkey on a free port, on the gateway's core, and waits until it answers. */
export async function startPortkey(entry: string, pinning: Pinning, upstreamOrigin: string): Promise<Portkey> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  const child = launch('portkey', ['--import', GUARD, entry, `--port=${port}`, '--headless'], env, pinning.gatewayCpu);
  const origin = `http://127.0.0.1:${port}`;
  await waitForRoot(child, origin, 30_000);
  const headers = {
    'content-type': 'application/json',
    authorization: 'Bearer sk-bench',
    'x-portkey-provider': 'openai',
    // 127.0.0.1 is among the custom hosts Portkey trusts by default.
    'x-portkey-custom-host': `${upstreamOrigin}/v1`,
  };
  const chat = (stream: boolean) => ({ path: CHAT_PATH, body: chatBody(MODEL, stream) });
  return { child, origin, target: { name: 'portkey', side: 'gateway', json: chat(false), stream: chat(true), headers, doneMarker: '[DONE]' } };
}

/** Portkey has no /health: its root answers once it listens. */
async function waitForRoot(child: Child, origin: string, timeoutMs: number): Promise<void> {
  const pool = new Pool(origin, { connections: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.done) throw new Error(`portkey exited during startup:\n${tail(child)}`);
      try {
        const res = await pool.request({ method: 'GET', path: '/', headersTimeout: 1000, bodyTimeout: 1000 });
        await res.body.text();
        if (res.statusCode === 200) return;
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    throw new Error(`portkey did not answer ${origin}/ within ${timeoutMs} ms:\n${tail(child)}`);
  } finally {
    await pool.destroy();
  }
}
