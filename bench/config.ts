/** The benchmark's settings: paths, the command line and BENCH_* environment, hard limits. */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_OUT = path.join(ROOT, '.bench');
export const GATEWAY_ENTRY = path.join(ROOT, 'dist', 'cli', 'main.js');
export const UPSTREAM_ENTRY = path.join(ROOT, 'bench', 'fake-upstream.ts');
export const GUARD = pathToFileURL(path.join(ROOT, 'bench', 'child-guard.mjs')).href;
export const HOST = '127.0.0.1';
export const MODEL = 'gpt-4o-mini';
export const CONTENT_CHUNKS = 20;

export const quick = process.argv.includes('--quick');

export function numberEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

export const config = {
  mode: quick ? 'quick' : 'full',
  requests: Math.floor(numberEnv('BENCH_REQUESTS', quick ? 300 : 2000, 10)),
  warmup: 0,
  durationS: numberEnv('BENCH_DURATION_S', quick ? 2 : 10, 0.2),
  sliceS: 1,
  loadWarmupS: quick ? 1 : 2,
  /**
   * Requests a freshly started process (a gateway, Portkey, the floor) serves under load before it is
   * measured: V8 compiles the hot path over the first few thousand, and a fresh gateway's CPU per
   * request falls about 5× meanwhile (2.9 → 0.56 ms here over 5,000 requests), so a warm gateway
   * beside a cold one reads the cold one's warm-up, not its work.
   */
  warmupRequests: Math.floor(numberEnv('BENCH_WARMUP_REQUESTS', 5000, 0)),
  connections: Math.floor(numberEnv('BENCH_CONNECTIONS', 32, 1)),
  profile: process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'true',
  profileIntervalUs: Math.floor(numberEnv('BENCH_PROFILE_INTERVAL_US', 500, 50)),
  /** The route (relay, gemini, anthropic) and the mode the profiled gateway is loaded with. */
  profileRoute: process.env.BENCH_PROFILE_ROUTE || 'relay',
  profileKind: (process.env.BENCH_PROFILE_STREAM === '1' ? 'stream' : 'json') as 'json' | 'stream',
  /** BENCH_PROFILE_LIMITS=1: the profiled gateway's key has every limit and a credit balance (bench/limits-line.ts). */
  profileLimits: process.env.BENCH_PROFILE_LIMITS === '1',
  pinRequested: process.env.BENCH_PIN !== '0',
  /** Extra `node` flags for the gateway of the main run, e.g. `--trace-gc` or `--max-semi-space-size=32`. */
  gatewayNodeArgs: (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  /** Also measure the translated routes (Gemini, Anthropic) next to the relay; BENCH_TRANSLATION=0 skips them. */
  translation: process.env.BENCH_TRANSLATION !== '0',
  /** Measure Portkey's gateway beside OpenSq (bench/portkey.ts); BENCH_PORTKEY=0 skips it. */
  portkey: process.env.BENCH_PORTKEY !== '0',
  /** Sequential warm-up requests per path of each translated route (the relay's is `warmup`). */
  translatedWarmup: 0,
  /** A translated route's load slice, as a share of the relay's (shorter in a quick run, to keep it short). */
  translatedSliceShare: quick ? 0.5 : 1,
};
config.warmup = quick ? 1000 : Math.min(1000, Math.max(100, config.requests));
config.sliceS = Math.min(1, config.durationS);
config.translatedWarmup = quick ? 200 : config.warmup;

/** Hard limits so that the run always stops by itself. */
export const SEQUENTIAL_TIME_LIMIT_MS = 120_000;
/** Requests per path before the sequential part switches to the other path. */
export const SEQUENTIAL_BLOCK = 50;
export const WATCHDOG_MS = 20 * 60_000;
export const MAX_LOAD_ERRORS = 1000;
/** The longest a warm-up under load (measure.ts warmUp) runs, whatever it has served. */
export const WARMUP_MAX_MS = 20_000;
