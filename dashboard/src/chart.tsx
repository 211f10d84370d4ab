import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b'];

/** A uPlot line chart, loaded on first use so the entry chunk stays small. */
/** `x` is unix seconds; times are labelled in `zone` (UTC for UTC day buckets). */
export function Chart({ x, series, label, zone }: { x: number[]; series: ChartSeries[]; label: string; zone: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !host.current) return;
      const style = getComputedStyle(document.documentElement);
      const axis = { stroke: style.getPropertyValue('--muted'), grid: { stroke: style.getPropertyValue('--border') }, ticks: { stroke: style.getPropertyValue('--border') } };
      const width = host.current.clientWidth;
      plot = new UPlot(
        {
          width,
          height: 220,
          series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: x.length < 40 } }))],
          axes: [axis, axis],
          tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), zone),
          legend: { live: true },
        },
        [x, ...series.map((s) => s.values)] as never,
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
  }, [x, series, zone]);
  return <div class="chart" ref={host} role="img" aria-label={label} />;
}
