import { sql } from 'kysely';
import type { Settings } from '../config/settings.js';
import type { BodyOmitted, RequestDetailView, RequestLogPage, UpstreamAttempt } from '../schema/admin-wire.js';
import type { Database } from '../storage/database.js';
import type { UsageTable } from '../storage/schema.js';
import { findUsageRow } from './find-usage-row.js';
import { usageRowView } from './usage-report.js';

export interface RequestLogFilter {
  keyId?: string;
  model?: string;
  provider?: string;
  status?: string;
  endpoint?: string;
  /** Matched against the request id, the upstream's id, model, deployment and error code. */
  text?: string;
  from?: number;
  to?: number;
}

const DAY_MS = 86_400_000;

function parseAttempts(text: string | null): UpstreamAttempt[] | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as UpstreamAttempt[]) : null;
  } catch {
    return null;
  }
}

/**
 * The request log of the dashboard: usage rows newest first, filtered, paged by keyset (`before`
 * an id) so a page costs the same on the millionth row as on the first; no total count, which would
 * scan the ledger.
 */
export class RequestLog {
  constructor(
    private readonly database: Database,
    private readonly settings: Pick<Settings, 'logRequestBodies' | 'requestBodyRetentionDays'>,
  ) {}

  async page(filter: RequestLogFilter, options: { limit: number; before?: number }): Promise<Omit<RequestLogPage, 'object'>> {
    let q = this.database.db.selectFrom('usage').selectAll();
    if (filter.keyId) q = q.where('key_id', '=', filter.keyId);
    if (filter.model) q = q.where('model', '=', filter.model);
    if (filter.provider) q = q.where('provider', '=', filter.provider);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.endpoint) q = q.where('endpoint', '=', filter.endpoint);
    if (filter.from !== undefined) q = q.where('ts', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('ts', '<', filter.to);
    if (options.before !== undefined) q = q.where('id', '<', options.before);
    if (filter.text) {
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or(['request_id', 'upstream_id', 'model', 'deployment', 'error_code'].map((column) => sql<boolean>`${sql.ref(column)} like ${like} escape '\\'`)));
    }
    const rows = await q.orderBy('id', 'desc').limit(options.limit + 1).execute();
    const data = rows.slice(0, options.limit).map((row) => usageRowView(row as UsageTable & { id: number }));
    return { data, next_before: rows.length > options.limit ? data[data.length - 1].id : null };
  }

  /**
   * One request, by its row id, its request id (the answer's x-request-id and id) or the id its
   * upstream gave the answer (the newest such row), with its upstream attempts (null: a single
   * attempt that succeeded, or none) and the body its client sent.
   */
  async get(id: number | string): Promise<RequestDetailView | undefined> {
    const db = this.database.db;
    let row;
    let kept;
    if (typeof id === 'number') {
      row = await db.selectFrom('usage').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      kept = await db.selectFrom('request_bodies').selectAll().where('request_id', '=', row.request_id).executeTakeFirst();
    } else {
      // A kept body's ts, the same as its row's, finds the row through usage_ts on any database.
      kept = await db.selectFrom('request_bodies').selectAll().where('request_id', '=', id).executeTakeFirst();
      row = kept ? await db.selectFrom('usage').selectAll().where('request_id', '=', id).where('ts', '=', kept.ts).executeTakeFirst() : await findUsageRow(this.database, 'request_id', id);
      if (!row && !kept) {
        row = await findUsageRow(this.database, 'upstream_id', id);
        if (row) kept = await db.selectFrom('request_bodies').selectAll().where('request_id', '=', row.request_id).executeTakeFirst();
      }
      if (!row) return undefined;
    }
    const body = kept?.body ?? null;
    return {
      ...usageRowView(row as UsageTable & { id: number }),
      attempts: parseAttempts(row.attempts),
      request_body: body === null ? null : (JSON.parse(body) as unknown),
      request_body_omitted: body !== null ? null : kept ? 'too_large' : this.missingBodyReason(Number(row.ts)),
    };
  }

  /** A row without a kept body: pruned, logged while bodies were off, or refused before it ran. */
  private missingBodyReason(ts: number): BodyOmitted {
    if (ts < Date.now() - this.settings.requestBodyRetentionDays * DAY_MS) return 'expired';
    return this.settings.logRequestBodies ? 'not_kept' : 'disabled';
  }
}
