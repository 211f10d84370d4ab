import { connect } from 'node:net';

/** Resolves true if something accepts a TCP connection at the URL's host and port within a second. */
export function listening(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `host:port` of a service URL, for messages. */
export function where(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || defaultPort}`;
}

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Postgres and Redis cannot be used here, or undefined when both answer. */
export async function servicesMissing() {
  const [postgres, redis] = await Promise.all([listening(POSTGRES_ADMIN_URL, 5432), listening(REDIS_URL, 6379)]);
  return {
    postgres: postgres ? undefined : `Postgres not reachable at ${where(POSTGRES_ADMIN_URL, 5432)}`,
    redis: redis ? undefined : `Redis not reachable at ${where(REDIS_URL, 6379)}`,
  };
}
