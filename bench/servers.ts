/** CPU pinning, and starting the fake upstream and the gateway. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GATEWAY_ENTRY, GUARD, HOST, UPSTREAM_ENTRY, config } from './config.js';
import { type Child, freePort, launch, tempDirs, waitForHealth, waitForLine } from './processes.js';
import { translatedProviderEnv } from './translated.js';

export interface Pinning {
  pinned: boolean;
  gatewayCpu: number | undefined;
  loadCpu: number | undefined;
  note: string;
}

export function setUpPinning(): Pinning {
  const unpinned = (note: string): Pinning => ({ pinned: false, gatewayCpu: undefined, loadCpu: undefined, note });
  if (!config.pinRequested) return unpinned('not pinned (BENCH_PIN=0): all processes share all cores');
  if (process.platform !== 'linux') return unpinned(`not pinned: ${process.platform} has no taskset`);
  const which = spawnSync('taskset', ['-c', '0', 'true']);
  if (which.error) return unpinned('not pinned: `taskset` is not installed (util-linux); all processes share all cores');
  const cores = os.availableParallelism();
  if (cores < 2) return unpinned(`not pinned: only ${cores} core available`);
  if (which.status !== 0 || spawnSync('taskset', ['-c', '1', 'true']).status !== 0) {
    return unpinned('not pinned: taskset cannot use cores 0 and 1 here; all processes share all cores');
  }
  // This process is the load generator, alone on core 1 (all its threads). Both servers share core 0,
  // so a direct call and a call through the gateway cross between cores equally often (client →
  // server core → client): the difference is the gateway's own work, not extra cross-core wake-ups.
  const self = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' });
  if (self.status !== 0) return unpinned(`not pinned: taskset failed on the load generator: ${self.stderr.trim()}`);
  const extra = cores > 2 ? ` (cores 2-${cores - 1} unused)` : '';
  return { pinned: true, gatewayCpu: 0, loadCpu: 1, note: `pinned: gateway + upstream → core 0; load generator → core 1 alone${extra}` };
}

export interface Upstream {
  child: Child;
  origin: string;
}

export async function startUpstream(pinning: Pinning): Promise<Upstream> {
  const child = launch('fake upstream', ['--import', 'tsx', '--import', GUARD, UPSTREAM_ENTRY], { ...process.env, FAKE_HOST: HOST, FAKE_PORT: '0' }, pinning.gatewayCpu);
  const match = await waitForLine(child, /listening (\d+)/, 15_000);
  const origin = `http://${HOST}:${match[1]}`;
  await waitForHealth(child, origin, 10_000);
  return { child, origin };
}

export interface Gateway {
  child: Child;
  origin: string;
  dataDir: string;
}

export async function startGateway(
  pinning: Pinning,
  upstreamOrigin: string,
  extraNodeArgs: string[] = [],
  logFile?: string,
  extraEnv: (dataDir: string) => Record<string, string> = () => ({}),
  /** The gateway's entry script: this build's, or another's (bench/ab.ts). */
  entry = GATEWAY_ENTRY,
): Promise<Gateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `opensq-bench-${process.pid}-`));
  tempDirs.push(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    OPENSQ_DATA_DIR: dataDir,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${upstreamOrigin}/v1`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // Gemini and Anthropic at the same fake (its native paths), for the translated routes.
    ...(config.translation ? translatedProviderEnv(upstreamOrigin) : {}),
    // The bare relay: the catalog's per-model limits and the anonymous tier's own would refuse the
    // load on the public key.
    OPENSQ_MODEL_LIMITS: 'off',
    OPENSQ_ANONYMOUS_RPM: '0',
    OPENSQ_ANONYMOUS_TPM: '0',
    OPENSQ_ANONYMOUS_RPD: '0',
    OPENSQ_ANONYMOUS_CONCURRENCY: '0',
  };
  // Only the SQLite default and the fake providers: nothing else from the caller's environment.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'OPENSQ_CONFIG', 'OPENSQ_LOCAL_MODEL', 'OPENSQ_ADMIN_KEY', 'NODE_OPTIONS']) delete env[name];
  // Claude is `paid` by default; the translated route runs on the public key like the others.
  const configFile = path.join(dataDir, 'bench.yaml');
  writeFileSync(configFile, 'models:\n  claude-3.5-sonnet: { paid: false }\n');
  env.OPENSQ_CONFIG = configFile;
  Object.assign(env, extraEnv(dataDir));
  const child = launch('gateway', [...extraNodeArgs, '--import', GUARD, entry, 'serve'], env, pinning.gatewayCpu, logFile);
  const origin = `http://${HOST}:${port}`;
  await waitForHealth(child, origin, 30_000);
  return { child, origin, dataDir };
}
