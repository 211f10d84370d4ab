import path from 'node:path';

export interface S3Settings {
  bucket: string;
  /** e.g. http://127.0.0.1:9000 for an S3-compatible server; undefined means AWS itself. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prepended to every object key, e.g. `cloud/`. */
  prefix: string;
  /** `{endpoint}/{bucket}/{key}` rather than `{bucket}.{host}/{key}`; the default with a custom endpoint. */
  forcePathStyle: boolean;
  /** Bytes per multipart part (at least 5 MiB, S3's minimum). */
  partSize: number;
}

export interface CloudSettings {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Uploads allowed per client (an IPv4 address or an IPv6 /64) per minute; 0 switches the limit off. */
  uploadsPerMinute: number;
  /** Cap on the bytes of all stored files together; 0: none. */
  maxTotalBytes: number;
  /** Files older than this many milliseconds are gone (404, then swept); undefined: kept forever. */
  ttlMs: number | undefined;
  /** Where the local backend keeps files. */
  dir: string;
  /** The origin clients reach this server at (e.g. https://api.example.com), for file URLs; by default the request's own. */
  publicUrl: string | undefined;
  /** Set when S3_BUCKET is: files then live in S3-compatible storage. */
  s3: S3Settings | undefined;
}

const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

function bytesVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(value);
}

/** OPENSQ_CLOUD_TTL_DAYS: days, fractions allowed (0.5 is twelve hours); unset or 0 keeps files forever. */
function ttlVar(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.OPENSQ_CLOUD_TTL_DAYS;
  if (raw === undefined || raw === '') return undefined;
  const days = Number(raw);
  if (!Number.isFinite(days) || days < 0) throw new Error(`OPENSQ_CLOUD_TTL_DAYS must be a non-negative number of days, got "${raw}"`);
  return days === 0 ? undefined : Math.max(1, Math.round(days * DAY_MS));
}

/** Cloud store settings from the environment (OPENSQ_CLOUD_*, OPENSQ_PUBLIC_URL, S3_*). */
export function loadCloudSettings(env: NodeJS.ProcessEnv, dataDir: string): CloudSettings {
  let s3: S3Settings | undefined;
  if (env.S3_BUCKET) {
    const accessKeyId = env.S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) throw new Error('S3_BUCKET is set: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY too');
    const endpoint = env.S3_ENDPOINT || undefined;
    s3 = {
      bucket: env.S3_BUCKET,
      endpoint,
      region: env.S3_REGION || env.AWS_REGION || 'us-east-1',
      accessKeyId,
      secretAccessKey,
      prefix: env.S3_PREFIX ?? '',
      forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : endpoint !== undefined,
      partSize: Math.max(5 * MIB, bytesVar(env, 'S3_PART_SIZE', 8 * MIB)),
    };
  }
  return {
    maxBytes: bytesVar(env, 'OPENSQ_CLOUD_MAX_BYTES', 1024 * MIB),
    uploadsPerMinute: bytesVar(env, 'OPENSQ_CLOUD_UPLOADS_PER_MINUTE', 30),
    maxTotalBytes: bytesVar(env, 'OPENSQ_CLOUD_MAX_TOTAL_BYTES', 10 * 1024 * MIB),
    ttlMs: ttlVar(env),
    dir: path.resolve(env.OPENSQ_CLOUD_DIR || path.join(dataDir, 'cloud')),
    publicUrl: env.OPENSQ_PUBLIC_URL?.replace(/\/+$/, '') || undefined,
    s3,
  };
}
