import type { AdminKeySource } from '../auth/admin-key-file.js';
import { PROVIDER_PRESETS } from '../providers/index.js';
import type { AppContext } from './context.js';

/** What an operator needs to read at start-up: what is served, and what to set for the rest. */
export function startupReport(ctx: AppContext, address: string, admin: AdminKeySource): string {
  const models = ctx.catalog.list();
  const working = models.filter((m) => m.downReason === undefined);
  const providers = ctx.registry.all().filter((p) => !p.missing && models.some((m) => m.usable.some((d) => d.provider === p)));
  // gtts and espeak need no configuration; the guidance is about the chat models.
  const chatProviders = providers.filter((p) => models.some((m) => m.kind === 'chat' && m.usable.some((d) => d.provider === p)));
  const lines = [
    `OpenSq listening on ${address}`,
    `  storage: ${ctx.database.kind === 'sqlite' ? `SQLite in ${ctx.settings.dataDir}` : 'Postgres (DATABASE_URL)'}`,
    `  models: ${working.length} of ${models.length} available` +
      (providers.length ? ` via ${providers.map((p) => p.name).join(', ')}` : ''),
  ];
  lines.push(...adminLines(browsable(address), admin));
  if (ctx.settings.anonymousEnabled && !LOOPBACK.has(ctx.settings.host)) lines.push(...anonymousWarning(ctx));
  const localIds = models.filter((m) => m.owner === 'local').map((m) => m.id);
  if (localIds.length) lines.push(`  local models: ${localIds.join(', ')}`);
  if (chatProviders.length === 0) {
    const keyVars = PROVIDER_PRESETS.flatMap((p) => (p.keyVar ? [p.keyVar] : []));
    lines.push(
      '',
      'No model provider is configured, so only the catalog, local models, text to speech (gtts, espeak) and Cloud are served.',
      `  To serve hosted models, set one or more of: ${keyVars.join(', ')}`,
      '  (each may be paired with <NAME>_BASE_URL, e.g. OPENAI_BASE_URL for an OpenAI-compatible server).',
      '  To serve a local model, set OPENSQ_LOCAL_MODEL to a GGUF file path or an hf: URI',
      `  (e.g. hf:user/repo/model.gguf), or put .gguf files in ${ctx.settings.dataDir}/models.`,
      '  To add providers and models of your own, point OPENSQ_CONFIG at a YAML file (see README).',
    );
  }
  return lines.join('\n');
}

/** The address a browser on this machine can open: a wildcard host is reached as localhost. */
function browsable(address: string): string {
  const url = new URL(address);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost';
  return url.origin;
}

function adminLines(origin: string, admin: AdminKeySource): string[] {
  if (admin.kind === 'off') return ['  dashboard and admin API: off (OPENSQ_ADMIN_KEY=off); the playground takes any API key'];
  const where = admin.kind === 'env' ? 'the value of OPENSQ_ADMIN_KEY' : `the admin key: cat ${admin.file}`;
  const lines = [`  dashboard: ${origin}/ (sign in with ${where})`];
  if (admin.kind === 'file' && admin.created) {
    lines.push(`  admin key: made on this first start and kept in ${admin.file} (mode 0600); set OPENSQ_ADMIN_KEY to choose your own, or =off to disable the admin API`);
  }
  return lines;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Said loudly: a server strangers can reach serves them on the operator's provider keys. */
function anonymousWarning(ctx: AppContext): string[] {
  const { rpm, rpd, maxConcurrency } = ctx.admission.anonymousLimits();
  const limit = (value: number | null, unit: string): string => (value ? `${value} ${unit}` : `no limit of ${unit}`);
  return [
    '',
    `WARNING: anonymous access is on (the public key "openai" and requests without a key) and the server listens on ${ctx.settings.host}:`,
    `  anyone who can reach it spends your provider keys, within ${limit(rpm, 'requests a minute')}, ${limit(rpd, 'requests a day')} and ${limit(maxConcurrency, 'requests at once')} for all of them together.`,
    '  Models marked paid (the dear ones by default) refuse the public key. Set OPENSQ_ANONYMOUS=off to require keys, or HOST=127.0.0.1 to listen on this machine only.',
  ];
}
