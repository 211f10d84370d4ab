import { useMemo } from 'preact/hooks';
import { adminGet, withQuery } from '../api.js';
import { Chart, type ChartSeries } from '../chart.js';
import { DAY_MS, HOUR_MS, hourShift, startOfZoneDay, zoneOffset } from '../../../src/time/zone-time.js';
import { credits, isoInZone, num, timeZone } from '../format.js';
import { location, setQuery } from '../router.js';
import type { SeriesPoint, UsageSeriesView } from '../types.js';
import { useLoad } from '../use-load.js';

const PRESETS: Record<string, { hours: number; bucket: 'hour' | 'day' }> = {
  '24h': { hours: 24, bucket: 'hour' },
  '7d': { hours: 24 * 7, bucket: 'day' },
  '30d': { hours: 24 * 30, bucket: 'day' },
  '90d': { hours: 24 * 90, bucket: 'day' },
};
const METRICS = ['requests', 'tokens', 'credits', 'errors'] as const;
type Metric = (typeof METRICS)[number];
const GROUPS = ['', 'model', 'provider', 'key', 'endpoint', 'tier'] as const;
/** A row's label in the table, the chart's legend and the CSV header: "group · subgroup". */
const SPLIT = ' · ';
const LOG_FILTER: Record<string, string> = { model: 'model', provider: 'provider', key: 'key_id', endpoint: 'endpoint' };

function value(point: SeriesPoint, metric: Metric): number {
  if (metric === 'tokens') return point.prompt_tokens + point.completion_tokens;
  if (metric === 'credits') return point.cost;
  return point[metric];
}

/**
 * The range in whole buckets of the display zone (its calendar days, or its hours), ending with the
 * current one, so reloading within the bucket shows the same buckets.
 */
function rangeOf(preset: string, zone: string): { from: number; to: number; bucket: 'hour' | 'day'; starts: number[] } {
  const p = PRESETS[preset] ?? PRESETS['7d'];
  const now = Date.now();
  const starts: number[] = [];
  if (p.bucket === 'day') {
    const days = Math.round((p.hours * HOUR_MS) / DAY_MS);
    for (let i = 1 - days; i <= 0; i++) starts.push(startOfZoneDay(zone, now, i));
    return { from: starts[0], to: startOfZoneDay(zone, now, 1), bucket: 'day', starts };
  }
  const shift = hourShift(zoneOffset(zone, now));
  const to = Math.floor((now + shift) / HOUR_MS) * HOUR_MS - shift + HOUR_MS;
  for (let t = to - p.hours * HOUR_MS; t < to; t += HOUR_MS) starts.push(t);
  return { from: starts[0], to, bucket: 'hour', starts };
}

export function Usage() {
  const query = location.value.query;
  const preset = query.get('range') ?? '7d';
  const metric = (query.get('metric') ?? 'requests') as Metric;
  const groupBy = query.get('group_by') ?? '';
  const subgroup = query.get('subgroup_by') ?? '';
  const subgroupBy = groupBy && subgroup !== groupBy ? subgroup : '';
  const stacked = query.get('stack') !== '0';
  const zone = timeZone.value;
  const { from, to, bucket, starts } = useMemo(() => rangeOf(preset, zone), [preset, zone]);
  const { data, error } = useLoad(
    () => adminGet<UsageSeriesView>('/usage/series', { from, to, bucket, tz: zone, group_by: groupBy, subgroup_by: subgroupBy }),
    [from, to, bucket, zone, groupBy, subgroupBy],
  );
  const set = (change: Record<string, string>) => setQuery({ range: preset, metric, group_by: groupBy, subgroup_by: subgroupBy, stack: stacked ? '' : '0', ...change });
  const labelOf = (p: SeriesPoint): string => (subgroupBy ? `${p.group ?? '(none)'}${SPLIT}${p.subgroup ?? '(none)'}` : (p.group ?? '(none)'));

  const view = useMemo(() => {
    const x = starts.map((t) => t / 1000);
    const index = new Map(x.map((t, i) => [t, i]));
    const groups = [...new Set((data?.data ?? []).map(labelOf))].sort();
    const series: ChartSeries[] =
      metric === 'tokens' && !groupBy
        ? (['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cache_write_tokens'] as const).map((field) => ({ label: field.replace('_tokens', '').replace('_', ' '), values: x.map(() => 0) }))
        : (groupBy ? groups : ['total']).map((label) => ({ label, values: x.map(() => 0) }));
    const rows = new Map<string, number>();
    for (const p of data?.data ?? []) {
      const i = index.get(Date.parse(p.t) / 1000);
      if (i === undefined) continue;
      const label = groupBy ? labelOf(p) : 'total';
      if (metric === 'tokens' && !groupBy) {
        series[0].values[i] = (series[0].values[i] ?? 0) + p.prompt_tokens;
        series[1].values[i] = (series[1].values[i] ?? 0) + p.completion_tokens;
        series[2].values[i] = (series[2].values[i] ?? 0) + p.cached_tokens;
        series[3].values[i] = (series[3].values[i] ?? 0) + p.cache_write_tokens;
      } else {
        const s = groupBy ? series[groups.indexOf(label)] : series[0];
        s.values[i] = (s.values[i] ?? 0) + value(p, metric);
      }
      rows.set(label, (rows.get(label) ?? 0) + value(p, metric));
    }
    return { x, series, rows: [...rows.entries()].sort((a, b) => b[1] - a[1]) };
  }, [data, metric, groupBy, subgroupBy, starts]);

  const fmt = (n: number): string => (metric === 'credits' ? credits(n) : num(n));

  function exportCsv(): void {
    const header = [`bucket_start (${zone})`, 'bucket_start_utc', ...view.series.map((s) => s.label)];
    const lines = [header, ...view.x.map((t, i) => [isoInZone(t * 1000, zone), new Date(t * 1000).toISOString(), ...view.series.map((s) => String(s.values[i] ?? 0))])];
    const blob = new Blob([lines.map((l) => l.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n')], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `opensq-usage-${metric}-${preset}${groupBy ? `-by-${groupBy}` : ''}${subgroupBy ? `-and-${subgroupBy}` : ''}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  const total = view.rows.reduce((sum, [, v]) => sum + v, 0);
  return (
    <>
      <header class="view-head">
        <h1>Usage</h1>
        <button onClick={exportCsv} disabled={!data}>Export CSV</button>
      </header>
      <div class="filters">
        <div class="segmented" role="group" aria-label="Range">
          {Object.keys(PRESETS).map((p) => (
            <button key={p} aria-pressed={p === preset} onClick={() => set({ range: p })}>{p}</button>
          ))}
        </div>
        <select aria-label="Metric" value={metric} onChange={(e) => set({ metric: e.currentTarget.value })}>
          {METRICS.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
        <select aria-label="Group by" value={groupBy} onChange={(e) => set({ group_by: e.currentTarget.value, ...(e.currentTarget.value === subgroupBy || !e.currentTarget.value ? { subgroup_by: '' } : {}) })}>
          {GROUPS.map((g) => <option key={g} value={g}>{g ? `by ${g}` : 'no grouping'}</option>)}
        </select>
        {groupBy && (
          <label class="inline">
            <input type="checkbox" checked={stacked} onChange={(e) => set({ stack: e.currentTarget.checked ? '' : '0' })} /> Stacked
          </label>
        )}
        {groupBy && (
          <select aria-label="Split by" value={subgroupBy} onChange={(e) => set({ subgroup_by: e.currentTarget.value })}>
            {GROUPS.filter((g) => g !== groupBy).map((g) => <option key={g} value={g}>{g ? `then by ${g}` : 'no split'}</option>)}
          </select>
        )}
      </div>
      {error && <p class="error">{error}</p>}
      <section class="card">
        <h2>
          {metric} per {bucket} ({zone}): {fmt(total)}
        </h2>
        {data && <Chart x={view.x} series={view.series} label={`${metric} per ${bucket}`} zone={zone} step={bucket} stacked={stacked && Boolean(groupBy)} />}
        {data && total === 0 && <p class="muted empty">No usage in this range.</p>}
      </section>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{groupBy || 'all requests'}</th>
              {subgroupBy && <th>{subgroupBy}</th>}
              <th>{metric}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {view.rows.map(([label, v]) => {
              const [group, sub] = subgroupBy ? label.split(SPLIT) : [label, ''];
              const filters: Record<string, string> = {};
              if (groupBy && LOG_FILTER[groupBy] && group !== '(none)') filters[LOG_FILTER[groupBy]] = group;
              if (subgroupBy && LOG_FILTER[subgroupBy] && sub !== '(none)') filters[LOG_FILTER[subgroupBy]] = sub;
              return (
              <tr key={label}>
                <td>{group}</td>
                {subgroupBy && <td>{sub}</td>}
                <td>{fmt(v)}</td>
                <td>
                  <a href={withQuery('/requests', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...filters, ...(metric === 'errors' && { status: 'error' }) })}>
                    Requests →
                  </a>
                </td>
              </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
