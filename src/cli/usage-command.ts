import { parseArgs } from 'node:util';
import type { Settings } from '../config/settings.js';
import { parseTime } from '../time/parse-time.js';
import { pruneRequestBodies } from '../usage/prune-request-bodies.js';
import { rollupUsage } from '../usage/rollup-usage.js';
import { type GroupBy, UsageReport } from '../usage/usage-report.js';
import { numberOption, UsageError } from './cli-error.js';
import { withDatabase } from './open-storage.js';

export const USAGE_HELP = `opensq usage — what the ledger says (reads the database directly)

Usage:
  opensq usage [--by key|user|model|day] [--key ID] [--user ID] [--model M] [--from T] [--to T] [--json]
      totals (requests, errors, tokens, cost, latency p50/p95), grouped when --by is given;
      T is an ISO 8601 date or unix milliseconds
  opensq usage rollup [--json]
      rolls finished hours up into hourly totals and prunes raw rows older than
      OPENSQ_USAGE_RETENTION_DAYS and kept request bodies older than
      OPENSQ_REQUEST_BODY_RETENTION_DAYS (the server also does it every hour)

Exit codes: 0 done, 1 failed, 2 bad usage.
`;

const GROUPS = new Set(['key', 'user', 'model', 'day']);

export async function usageCommand(settings: Settings, args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    options: { by: { type: 'string' }, key: { type: 'string' }, user: { type: 'string' }, model: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const json = values.json === true;
  if (positionals[0] === 'rollup') {
    const result = await withDatabase(settings, async (db) => ({
      ...(await rollupUsage(db, { retentionDays: settings.usageRetentionDays })),
      prunedBodies: await pruneRequestBodies(db, { retentionDays: settings.requestBodyRetentionDays }),
    }));
    return json
      ? `${JSON.stringify(result)}\n`
      : `rolled up ${result.rows} hourly rows, up to ${new Date(result.rolledUntil).toISOString()}; pruned ${result.pruned} raw rows and ${result.prunedBodies} request bodies\n`;
  }
  if (positionals.length > 0) throw new UsageError(`unknown usage command "${positionals[0]}"`);
  if (values.by !== undefined && !GROUPS.has(values.by)) throw new UsageError('--by must be key, user, model or day');
  let filter;
  try {
    filter = { keyId: values.key, userId: numberOption(values.user, 'user'), model: values.model, from: parseTime(values.from, 'from'), to: parseTime(values.to, 'to') };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const summary = await withDatabase(settings, (db) => new UsageReport(db).summary(filter, values.by as GroupBy | undefined));
  if (json) return `${JSON.stringify({ group_by: values.by ?? null, data: summary.groups, totals: summary.totals }, null, 2)}\n`;
  const t = summary.totals;
  const row = (label: string, g: typeof t): string =>
    `${label.padEnd(40)} ${String(g.requests).padStart(8)} req ${String(g.errors).padStart(6)} err ${String(g.prompt_tokens).padStart(10)} in ${String(g.completion_tokens).padStart(10)} out  cost ${g.cost.toFixed(6)}  p50 ${g.latency_p50_ms ?? '-'} ms  p95 ${g.latency_p95_ms ?? '-'} ms`;
  const lines = values.by ? summary.groups.map((g) => row(String(g.key_id ?? g.user ?? g.model ?? g.day), g)) : [];
  lines.push(row('total', t));
  return `${lines.join('\n')}\n`;
}
