import { spawnSync } from 'node:child_process';
import { servicesMissing } from './reachable.mjs';

/**
 * What some suites need beyond the embedded defaults, and whether this machine has it. A suite that
 * needs something it cannot reach is skipped with the reason, never failed: `npm test` must pass on
 * a machine with none of it (CI has all of it, so CI runs every suite).
 */
export { POSTGRES_ADMIN_URL, REDIS_URL } from './reachable.mjs';

const missing = await servicesMissing();

/** A skip reason for a suite that needs Postgres, or false when it is reachable. */
export const needsPostgres: string | false = missing.postgres ?? false;
/** A skip reason for a suite that needs Redis, or false when it is reachable. */
export const needsRedis: string | false = missing.redis ?? false;
/** A skip reason for a suite that needs both. */
export const needsPostgresAndRedis: string | false = needsPostgres || needsRedis;

/** A skip reason for a test that runs the real espeak-ng binary (CI installs it), or false. */
export const needsEspeak: string | false =
  spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status !== 0 && 'espeak-ng is not installed (apt-get install espeak-ng)';

/** A skip reason for a test that runs its own `redis-server` (to stop and restart it), or false. */
export const needsRedisServer: string | false =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0 && 'redis-server is not installed (apt-get install redis-server)';
