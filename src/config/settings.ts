import path from 'node:path';
import os from 'node:os';
import { type CooldownSettings, DEFAULT_COOLDOWN, MIN_CONSECUTIVE_FAILURES } from '../routing/deployment-health.js';
import { isTimeZone } from '../time/zone-time.js';

/** Process-wide settings from the environment. Provider keys are read by the provider registry. */
export interface Settings {
  port: number;
  host: string;
  dataDir: string;
  /** Largest request body in bytes; larger ones are a 413. */
  bodyLimit: number;
  /** A JSON body must arrive whole within this; a Cloud upload must bring 64 KiB in each such period. Slower: a 408. */
  bodyTimeoutMs: number;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so instances of different deployments can share one Redis. */
  redisPrefix: string;
  /** OPENSQ_ADMIN_KEY; `serve` makes one in the data folder when it is unset and not `off`. */
  adminKey: string | undefined;
  /** OPENSQ_ADMIN_KEY=off: the admin API stays disabled. */
  adminKeyOff: boolean;
  configPath: string | undefined;
  /** A GGUF path or `hf:` URI served as a local model. */
  localModel: string | undefined;
  localThreads: number;
  logLevel: string;
  /** The public key `openai` and key-less requests; the operator may switch them off. */
  anonymousEnabled: boolean;
  /** How long a request may take to drain on shutdown. */
  shutdownGraceMs: number;
  /** Whether the catalog's per-model requests-per-minute `limits` are enforced. */
  modelLimits: boolean;
  /** Raw usage rows older than this many days are pruned once rolled up into hourly totals. */
  usageRetentionDays: number;
  /** Whether request bodies are kept with their usage rows, for replay in the playground. */
  logRequestBodies: boolean;
  /** A larger request body is not kept (its row says it was too large). */
  requestBodyMaxBytes: number;
  /** Kept request bodies older than this many days are pruned with the ledger. */
  requestBodyRetentionDays: number;
  /** Stored Responses API answers older than this are no longer served, and pruned. */
  responsesRetentionDays: number;
  /** How often the ledger is rolled up and pruned. */
  usageRollupIntervalMs: number;
  /** Origins browsers may call the API from: `*` or a comma-separated list. */
  corsOrigins: string;
  /** Upstream attempts per request, across deployments. */
  maxAttempts: number;
  /** When a deployment's circuit opens (see DeploymentHealth), and for how long. */
  cooldown: CooldownSettings;
  /** OPENSQ_LIMITS_FAIL_OPEN: while Redis is unreachable, serve keys without their Redis-kept limits instead of a 503. */
  limitsFailOpen: boolean;
  /**
   * Which proxies' X-Forwarded-For/-Proto/-Host to believe (Fastify's trustProxy): client
   * addresses for per-address limits and the scheme and host of the URLs handed out.
   */
  trustProxy: boolean | string;
  /** The time zone the dashboard shows times and usage days in, until a user picks another. */
  timeZone: string | undefined;
  /** OPENSQ_METRICS=off: there is no `/metrics` route at all. */
  metricsEnabled: boolean;
  /** OPENSQ_METRICS_KEY: `/metrics` answers only `Authorization: Bearer <this key>`; unset, anyone. */
  metricsKey: string | undefined;
  /** Image parts one chat request may carry, and their bytes together (fetched or inline). */
  maxImagesPerRequest: number;
  maxImageBytesPerRequest: number;
  /** How the pool to providers connects: OPENSQ_UPSTREAM_CONNECTIONS sockets per origin (unset: no cap). */
  upstreamPool: { connections: number | undefined };
}

function timeZoneVar(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!isTimeZone(raw)) throw new Error(`OPENSQ_TIMEZONE must be an IANA time zone such as UTC or Europe/Berlin, got "${raw}"`);
  return raw;
}

/** `true`, or the proxies' addresses and CIDR ranges, comma-separated. */
function trustProxyVar(raw: string | undefined): boolean | string {
  if (!raw || raw === 'false') return false;
  return raw === 'true' ? true : raw;
}

/** OpenAI's own limits per request: 500 images, 50 MB. */
const MAX_IMAGES_PER_REQUEST = 500;
const MAX_IMAGE_BYTES_PER_REQUEST = 50 * 1024 * 1024;

const isOff = (raw: string | undefined): boolean => raw === 'off' || raw === 'false';
const isOn = (raw: string | undefined): boolean => raw === 'on' || raw === 'true' || raw === '1';

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(value);
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    port: intVar(env, 'PORT', 8000),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.OPENSQ_DATA_DIR || './data'),
    bodyLimit: intVar(env, 'OPENSQ_BODY_LIMIT', 16 * 1024 * 1024),
    bodyTimeoutMs: intVar(env, 'OPENSQ_BODY_TIMEOUT_MS', 60_000),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.OPENSQ_REDIS_PREFIX || 'opensq:',
    adminKey: env.OPENSQ_ADMIN_KEY && !isOff(env.OPENSQ_ADMIN_KEY) ? env.OPENSQ_ADMIN_KEY : undefined,
    adminKeyOff: isOff(env.OPENSQ_ADMIN_KEY),
    configPath: env.OPENSQ_CONFIG || undefined,
    localModel: env.OPENSQ_LOCAL_MODEL || undefined,
    localThreads: intVar(env, 'OPENSQ_LOCAL_THREADS', Math.max(1, Math.min(4, os.availableParallelism() - 1))),
    logLevel: env.LOG_LEVEL || 'info',
    anonymousEnabled: !isOff(env.OPENSQ_ANONYMOUS),
    shutdownGraceMs: intVar(env, 'OPENSQ_SHUTDOWN_GRACE_MS', 30_000),
    corsOrigins: env.OPENSQ_CORS_ORIGINS || '*',
    maxAttempts: Math.max(1, intVar(env, 'OPENSQ_MAX_ATTEMPTS', 3)),
    cooldown: cooldownVars(env),
    limitsFailOpen: isOn(env.OPENSQ_LIMITS_FAIL_OPEN),
    trustProxy: trustProxyVar(env.OPENSQ_TRUST_PROXY),
    timeZone: timeZoneVar(env.OPENSQ_TIMEZONE),
    modelLimits: !isOff(env.OPENSQ_MODEL_LIMITS),
    usageRetentionDays: intVar(env, 'OPENSQ_USAGE_RETENTION_DAYS', 90),
    logRequestBodies: !isOff(env.OPENSQ_LOG_REQUEST_BODIES),
    requestBodyMaxBytes: intVar(env, 'OPENSQ_LOG_REQUEST_BODY_MAX_BYTES', 65_536),
    requestBodyRetentionDays: intVar(env, 'OPENSQ_REQUEST_BODY_RETENTION_DAYS', 7),
    responsesRetentionDays: intVar(env, 'OPENSQ_RESPONSES_RETENTION_DAYS', 30),
    usageRollupIntervalMs: intVar(env, 'OPENSQ_USAGE_ROLLUP_INTERVAL_MS', 3_600_000),
    metricsEnabled: !isOff(env.OPENSQ_METRICS),
    metricsKey: env.OPENSQ_METRICS_KEY || undefined,
    maxImagesPerRequest: intVar(env, 'OPENSQ_MAX_IMAGES_PER_REQUEST', MAX_IMAGES_PER_REQUEST),
    maxImageBytesPerRequest: intVar(env, 'OPENSQ_MAX_IMAGE_BYTES_PER_REQUEST', MAX_IMAGE_BYTES_PER_REQUEST),
    upstreamPool: { connections: upstreamConnectionsVar(env.OPENSQ_UPSTREAM_CONNECTIONS) },
  };
}

/** Sockets per provider origin: unset or `unlimited` for no cap (a capped pool queues streams silently), else a whole number ≥ 1. */
function upstreamConnectionsVar(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === 'unlimited') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`OPENSQ_UPSTREAM_CONNECTIONS must be a whole number ≥ 1 or "unlimited", got "${raw}"`);
  return value;
}

function cooldownVars(env: NodeJS.ProcessEnv): CooldownSettings {
  const failures = intVar(env, 'OPENSQ_COOLDOWN_FAILURES', DEFAULT_COOLDOWN.failures);
  // Fewer would let one request's retries, or one client's, take a deployment away from everyone.
  if (failures < MIN_CONSECUTIVE_FAILURES) throw new Error(`OPENSQ_COOLDOWN_FAILURES must be at least ${MIN_CONSECUTIVE_FAILURES}, got "${env.OPENSQ_COOLDOWN_FAILURES}"`);
  const minRequests = intVar(env, 'OPENSQ_COOLDOWN_MIN_REQUESTS', DEFAULT_COOLDOWN.minRequests);
  if (minRequests < MIN_CONSECUTIVE_FAILURES) throw new Error(`OPENSQ_COOLDOWN_MIN_REQUESTS must be at least ${MIN_CONSECUTIVE_FAILURES}, got "${env.OPENSQ_COOLDOWN_MIN_REQUESTS}"`);
  const percent = intVar(env, 'OPENSQ_COOLDOWN_FAILURE_PERCENT', DEFAULT_COOLDOWN.failureRate * 100);
  if (percent < 1 || percent > 100) throw new Error(`OPENSQ_COOLDOWN_FAILURE_PERCENT must be from 1 to 100, got "${env.OPENSQ_COOLDOWN_FAILURE_PERCENT}"`);
  return {
    failures,
    cooldownMs: intVar(env, 'OPENSQ_COOLDOWN_MS', DEFAULT_COOLDOWN.cooldownMs),
    failureRate: percent / 100,
    windowMs: intVar(env, 'OPENSQ_COOLDOWN_WINDOW_MS', DEFAULT_COOLDOWN.windowMs),
    minRequests,
    maxPauseMs: DEFAULT_COOLDOWN.maxPauseMs,
  };
}
