import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_SECURITY_HEADERS } from './dashboard-security-headers.js';

/** Where `npm run build` puts the dashboard (vite's outDir), next to the compiled server. */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dashboard');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Path prefixes of the APIs: an unknown path under them stays a JSON 404, never the dashboard. */
const API_PREFIXES = ['/ai', '/v1', '/admin', '/cloud', '/health', '/ready', '/metrics', '/assets'];

/**
 * Serves the built dashboard at `/`, every page and asset with its security headers (CSP and the
 * rest): hash-named files under `/assets/` are cached for a year, `index.html` is revalidated on
 * every load, and any other GET that asks for HTML and is not under an API prefix gets `index.html`
 * so the dashboard's own paths survive a reload. API routes are registered as routes and so always
 * win; the fallback only runs where nothing else matched.
 * Returns the fallback for the app's 404 handler, or undefined when no dashboard was built.
 */
export function registerDashboard(
  app: FastifyInstance,
  options: { dir?: string; timeZone?: string } = {},
): ((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined {
  const dir = options.dir ?? DASHBOARD_DIR;
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  let html = readFileSync(indexFile, 'utf8');
  // The operator's time zone (OPENSQ_TIMEZONE, checked to be an IANA name) as the dashboard's default.
  if (options.timeZone) html = html.replace('</head>', `<meta name="opensq-time-zone" content="${options.timeZone}" />\n</head>`);
  const index = Buffer.from(html);
  const assets = path.join(dir, 'assets');

  const sendIndex = (reply: FastifyReply): void => {
    reply.headers(DASHBOARD_SECURITY_HEADERS).header('cache-control', 'no-cache').type(TYPES['.html']).send(index);
  };
  app.get('/', async (_request, reply) => sendIndex(reply));
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const name = request.params['*'];
    const file = path.join(assets, name);
    // Only plain names inside the assets folder: no `..`, no sub-folders, nothing hidden.
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || !existsSync(file) || !statSync(file).isFile()) {
      reply.code(404).type('application/json').send(JSON.stringify({ error: { message: `No asset ${name}`, type: 'invalid_request_error', param: null, code: 'not_found' } }));
      return;
    }
    reply
      .headers(DASHBOARD_SECURITY_HEADERS)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(TYPES[path.extname(name)] ?? 'application/octet-stream')
      .send(readFileSync(file));
  });

  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const pathname = request.url.split('?')[0];
    if (API_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return false;
    if (!String(request.headers.accept ?? '').includes('text/html')) return false;
    sendIndex(reply);
    return true;
  };
}
