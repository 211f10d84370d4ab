import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestBackend, queryServerDatabase } from './test-backend.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(REPO_ROOT, 'dist/cli/main.js');

export interface ServerProcess {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  dataDir: string;
  /** The Postgres database the server uses, when it uses one. */
  databaseUrl: string | undefined;
  /** The environment the server was started with (its backend included), to start another like it. */
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  /** A statement without parameters on the server's database; the rows of a query. */
  query(sql: string): Promise<Array<Record<string, any>>>;
  output(): string;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill9(): Promise<void>;
}

/** Environment variables of this machine that would configure real providers; tests never inherit them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/_API_KEY$|_BASE_URL$|^OPENSQ_|^DATABASE_URL$|^REDIS_URL$|^PORT$|^HOST$|^S3_|^AWS_/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** YAML written to a temp file and passed as OPENSQ_CONFIG. */
  config?: string;
  dataDir?: string;
  /** Extra arguments after `serve`, e.g. `--workers 2`. */
  args?: string[];
}

/** Starts the built server (`dist/cli/main.js serve`) on a free port and waits until it serves. */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'opensq-test-'));
  // A server given no database of its own gets the suite's backend (TEST_DATABASE), dropped when it stops.
  const backend = options.env?.DATABASE_URL === undefined ? await createTestBackend() : undefined;
  // The catalog's per-model limits (20 requests a minute at tier 0) are switched on by the tests of
  // limits. Functional suites inject upstream faults on purpose; circuit breakers opening between
  // their tests would turn later answers into 503s, so resilience tests set their own thresholds.
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PORT: '0',
    HOST: '127.0.0.1',
    OPENSQ_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    OPENSQ_MODEL_LIMITS: 'off',
    // Likewise the anonymous tier's default limits (the public key's requests share one key's counters);
    // the suites about limits and defaults set their own.
    OPENSQ_ANONYMOUS_RPM: '0',
    OPENSQ_ANONYMOUS_TPM: '0',
    OPENSQ_ANONYMOUS_RPD: '0',
    OPENSQ_ANONYMOUS_CONCURRENCY: '0',
    OPENSQ_COOLDOWN_FAILURES: '1000',
    OPENSQ_COOLDOWN_MIN_REQUESTS: '1000000',
    ...backend?.env,
    ...options.env,
  };
  if (options.config) {
    const file = path.join(dataDir, 'opensq.yaml');
    writeFileSync(file, options.config);
    env.OPENSQ_CONFIG = file;
  }
  const proc = spawn(process.execPath, [ENTRY, 'serve', ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
    const check = (): void => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  }).catch(async (error: unknown) => {
    await backend?.drop();
    throw error;
  });

  const server: ServerProcess = {
    url,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    env,
    proc,
    query: (sql) => queryServerDatabase(server, sql),
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      await backend?.drop();
      return code;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
  return server;
}

/** OPENSQ_CONFIG that routes the seed's Gemini examples to the fake OpenAI upstream too. */
export function fakeProviderConfig(fakeUrl: string, models: string[] = ['gemini-2.0-flash', 'gemini-2.5-flash']): string {
  const lines = ['providers:', '  fake:', '    type: openai-compatible', `    base_url: ${fakeUrl}`, '    api_key: ${FAKE_UPSTREAM_KEY}', 'models:'];
  for (const id of models) lines.push(`  ${id}:`, '    deployments:', `      - { provider: fake, model: ${id} }`);
  return `${lines.join('\n')}\n`;
}

/**
 * OPENSQ_CONFIG lines (under `models:`) opening dear models to the public key, as an operator may:
 * the default catalog keeps them `paid`, and suites about what a model does use the public key.
 */
export function openToPublicKey(ids: string[]): string[] {
  return ids.map((id) => `  ${id}: { paid: false }`);
}
