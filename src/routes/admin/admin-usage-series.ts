import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { UsageSeriesView } from '../../schema/admin-wire.js';
import type { Database } from '../../storage/database.js';
import { isTimeZone } from '../../time/zone-time.js';
import { usageSeries } from '../../usage/usage-series.js';
import { usageSeriesQuerySchema } from './admin-schemas.js';
import { parseAdminInput, parseTime } from './parse-admin-input.js';

const MAX_BUCKETS = 2_000;

/** `GET /admin/usage/series`: usage over time in hour or day buckets of a time zone, optionally grouped. */
export function registerAdminUsageSeries(app: FastifyInstance, database: Database): void {
  app.get('/usage/series', async (request): Promise<UsageSeriesView> => {
    const q = parseAdminInput(usageSeriesQuerySchema, request.query);
    const to = parseTime(q.to, 'to') ?? Date.now();
    const from = parseTime(q.from, 'from') ?? to - 7 * 86_400_000;
    const bucket = q.bucket ?? 'day';
    const tz = q.tz ?? 'UTC';
    if (!isTimeZone(tz)) throw new ApiError('invalid_request', `Unknown time zone '${tz}'; use an IANA name such as UTC or Europe/Berlin.`, { param: 'tz' });
    if ((to - from) / (bucket === 'day' ? 86_400_000 : 3_600_000) > MAX_BUCKETS) {
      throw new ApiError('invalid_request', `At most ${MAX_BUCKETS} ${bucket} buckets per request; narrow the range or use bigger buckets.`, { param: 'from' });
    }
    if (q.subgroup_by && !q.group_by) throw new ApiError('invalid_request', 'subgroup_by needs a group_by.', { param: 'subgroup_by' });
    if (q.subgroup_by && q.subgroup_by === q.group_by) throw new ApiError('invalid_request', 'subgroup_by must differ from group_by.', { param: 'subgroup_by' });
    const data = await usageSeries(database, { from, to, bucket, tz, groupBy: q.group_by, subgroupBy: q.subgroup_by, keyId: q.key_id, model: q.model });
    return { object: 'list', bucket, tz, group_by: q.group_by ?? null, subgroup_by: q.subgroup_by ?? null, from: new Date(from).toISOString(), to: new Date(to).toISOString(), data };
  });
}
