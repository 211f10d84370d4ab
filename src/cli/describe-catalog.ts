import { loadConfigFile } from '../config/config-file.js';
import type { Settings } from '../config/settings.js';
import { Catalog } from '../routing/catalog.js';
import { ProviderRegistry, providerSettings } from '../routing/provider-registry.js';

/** `opensq models` and `opensq doctor`: the resolved catalog and providers, without starting a server. */
export function describeCatalog(settings: Settings, command: 'models' | 'doctor', json: boolean): string {
  const file = settings.configPath ? loadConfigFile(settings.configPath) : {};
  const registry = new ProviderRegistry(process.env, file.providers, providerSettings(settings));
  const catalog = new Catalog(registry, { models: file.models, aliases: file.aliases });
  const models = catalog.list();
  if (command === 'models') {
    if (json) return `${JSON.stringify(models.map((m) => ({ id: m.id, owner: m.owner, kind: m.kind, status: m.downReason ? 'down' : 'work', deployments: m.deployments.map((d) => `${d.provider.name}:${d.model}`) })), null, 2)}\n`;
    return models.map((m) => `${m.downReason ? 'down' : 'work'}  ${m.id.padEnd(40)} ${m.deployments.map((d) => `${d.provider.name}:${d.model}`).join(', ')}`).join('\n') + '\n';
  }
  const providers = registry.all().map((p) => ({ name: p.name, type: p.type, baseUrl: p.baseUrl, configured: !p.missing, missing: p.missing }));
  if (json) return `${JSON.stringify({ providers, models: models.length, working: models.filter((m) => !m.downReason).length }, null, 2)}\n`;
  const lines = ['Providers:'];
  for (const p of providers) lines.push(`  ${p.configured ? 'ok     ' : 'missing'} ${p.name.padEnd(12)} ${p.configured ? (p.baseUrl ?? '') : p.missing}`);
  lines.push('', `Models: ${models.filter((m) => !m.downReason).length} of ${models.length} available`);
  const working = models.filter((m) => !m.downReason).map((m) => m.id);
  if (working.length > 0) lines.push(`  work: ${working.join(', ')}`);
  // What each missing setting would bring up, so an operator sees which variable matters most.
  const down = new Map<string, string[]>();
  for (const m of models) if (m.downReason) down.set(m.downReason, [...(down.get(m.downReason) ?? []), m.id]);
  for (const [reason, ids] of [...down].sort((a, b) => b[1].length - a[1].length)) {
    const shown = ids.length > 6 ? `${ids.slice(0, 6).join(', ')}, … (${ids.length} models)` : ids.join(', ');
    lines.push(`  down: ${reason}: ${shown}`);
  }
  lines.push(`Storage: ${settings.databaseUrl ? 'Postgres (DATABASE_URL)' : `SQLite in ${settings.dataDir}`}`);
  return `${lines.join('\n')}\n`;
}
