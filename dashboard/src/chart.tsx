import { useEffect, useRef } from 'preact/hooks';
import { theme } from './theme.js';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

const amount = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b'];

/**
 * Series drawn on top of each other: each line is the running sum up to it, the band below it is
 * filled, and the legend still shows each series' own value. A series hidden from the legend adds
 * nothing, so the ones above it settle onto the ones below.
 */
function stack(series: ChartSeries[], shown: boolean[] = series.map(() => true)): { lines: Array<Array<number | null>>; bands: Array<{ series: [number, number] }> } {
  const sums = series[0]?.values.map(() => 0) ?? [];
  const lines = series.map((s, si) => s.values.map((v, i) => (sums[i] += shown[si] ? (v ?? 0) : 0)));
  // Each shown series' band reaches down to the shown series below it (uPlot numbers series from 1).
  const visible = series.map((_, i) => i + 1).filter((_, i) => shown[i]);
  return { lines, bands: visible.slice(1).map((si, k) => ({ series: [si, visible[k]] as [number, number] })) };
}

/**
 * A uPlot chart, loaded on first use so the entry chunk stays small. `x` is unix seconds; times
 * are labelled in `zone`. Lines, or `stacked` areas whose top is the total.
 */
export function Chart({ x, series, label, zone, step, stacked = false }: { x: number[]; series: ChartSeries[]; label: string; zone: string; step: 'hour' | 'day'; stacked?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  // Read here so a theme change redraws the chart in the new theme's colours.
  const colours = theme.value;
  useEffect(() => {
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !host.current) return;
      const style = getComputedStyle(document.documentElement);
      const axis = { stroke: style.getPropertyValue('--muted'), grid: { stroke: style.getPropertyValue('--border') }, ticks: { stroke: style.getPropertyValue('--border') } };
      // Day buckets get ticks on whole days (1, 2, 7 or 30 of them), never hours.
      const xAxis = step === 'day' ? { ...axis, incrs: [86_400, 2 * 86_400, 7 * 86_400, 30 * 86_400] } : axis;
      const width = host.current.clientWidth;
      const stacking = stacked && series.length > 1 ? stack(series) : undefined;
      const bucketLabel = UPlot.fmtDate(step === 'day' ? '{YYYY}-{MM}-{DD}' : '{YYYY}-{MM}-{DD} {HH}:{mm}');
      plot = new UPlot(
        {
          width,
          height: 220,
          series: [
            { value: (_u: unknown, v: number | null) => (v === null ? 'whole range' : bucketLabel(UPlot.tzDate(new Date(v * 1000), zone))) },
            ...series.map((s, i) => ({
              label: s.label,
              stroke: PALETTE[i % PALETTE.length],
              width: stacking ? 1 : 2,
              points: { show: !stacking && x.length < 40 },
              ...(stacking && { fill: `${PALETTE[i % PALETTE.length]}55` }),
              // The legend shows the series' own value (not a running sum) under the cursor, its range total otherwise.
              value: (_u: unknown, _v: number | null, _si: number, index: number | null) =>
                amount(index === null ? s.values.reduce<number>((sum, v) => sum + (v ?? 0), 0) : (s.values[index] ?? 0)),
            })),
          ],
          bands: stacking?.bands,
          // Usage never goes below zero: the axis starts there, so areas and lines compare honestly.
          scales: { y: { range: (_u: unknown, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as [number, number] } },
          axes: [xAxis, axis],
          tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), zone),
          legend: { live: true },
          ...(stacking && {
            hooks: {
              setSeries: [
                (u: { series: Array<{ show?: boolean }>; setData(data: unknown): void; delBand(): void; addBand(band: { series: [number, number] }): void }) => {
                  const restacked = stack(series, u.series.slice(1).map((one) => one.show !== false));
                  u.delBand();
                  for (const band of restacked.bands) u.addBand(band);
                  u.setData([x, ...restacked.lines]);
                },
              ],
            },
          }),
        },
        [x, ...(stacking?.lines ?? series.map((s) => s.values))] as never,
        host.current,
      );
      observer = new ResizeObserver(() => host.current && plot?.setSize({ width: host.current.clientWidth, height: 220 }));
      observer.observe(host.current);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [x, series, zone, step, stacked, colours]);
  return <div class="chart" ref={host} role="img" aria-label={label} />;
}
