import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { bucketSeconds, legendIdleValue, timeTickLabels, xRange } from '../lib/chartData';
import { formatClock, formatDate } from '../lib/format';
import { chartColors, seriesColors, themeTick } from '../lib/theme';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartProps {
  /** x values: epoch seconds (time axis). */
  x: number[];
  series: ChartSeries[];
  kind: 'line' | 'bars' | 'stacked-bars';
  height?: number;
  /** Accessible description of what the chart shows. */
  label: string;
  /** Visible title above the chart (with its unit). */
  title?: string;
  /** Visible text summary under the title, also the chart's accessible description. */
  summary?: string;
  formatValue?: (v: number) => string;
  /** Labels of the y axis' ticks, all at once (one number of decimals for the axis). */
  formatTicks?: (ticks: number[]) => string[];
  /** x axis in days (dates only). */
  daily?: boolean;
  /** Width of a bucket in seconds (default: the smallest step of `x`). */
  bucketS?: number;
  /** What the legend shows when not hovered: each series' total over the chart, or its latest value. */
  legendIdle?: 'total' | 'latest';
  testId?: string;
}

/** One tick per day, thinned to about a dozen. */
function daySplits(x: number[]): number[] {
  const step = Math.max(1, Math.ceil(x.length / 12));
  return x.filter((_, i) => i % step === 0);
}

/** Stack series bottom-up: series k holds the sum of series 0..k. */
export function stackValues(series: ChartSeries[]): ChartSeries[] {
  const acc = new Array<number>(series[0]?.values.length ?? 0).fill(0);
  return series.map((s) => {
    const values = s.values.map((v, i) => (acc[i] += v ?? 0));
    return { label: s.label, values };
  });
}

/** What uPlot draws: stacked bars as cumulative series, tallest first, so each band shows its own part. */
function drawn(p: ChartProps): { series: ChartSeries[]; legend: ChartSeries[] } {
  if (p.kind !== 'stacked-bars') return { series: p.series, legend: p.series };
  return { series: stackValues(p.series).reverse(), legend: [...p.series].reverse() };
}

function xLabel(p: ChartProps, t: number): string {
  return p.daily ? formatDate(t * 1000) : `${formatDate(t * 1000)} ${formatClock(t * 1000)}`;
}

function buildOptions(p: ChartProps, width: number, current: { p: ChartProps }): uPlot.Options {
  const c = chartColors();
  const colors = seriesColors(p.series.length);
  if (p.kind === 'stacked-bars') colors.reverse();
  const fmt = p.formatValue ?? ((v: number) => String(v));
  const bars = p.kind !== 'line' ? uPlot.paths.bars!({ size: [0.7, 60], gap: 1 }) : undefined;
  const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  const bucket = () => current.p.bucketS ?? (current.p.daily ? 86_400 : bucketSeconds(current.p.x));
  const idle = p.legendIdle ?? 'total';
  return {
    width,
    height: p.height ?? 220,
    legend: { show: true, live: true },
    // The drawn x range, for tests and for anyone inspecting the page.
    hooks: {
      draw: [
        (u) => {
          u.root.parentElement?.setAttribute('data-x-range', `${u.scales.x.min},${u.scales.x.max}`);
        },
      ],
    },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // The data's buckets and half a bucket of room each side: one bar is neither cut in half
      // nor alone on an axis that runs for years.
      x: { time: true, range: () => xRange(current.p.x, bucket()) },
      // Costs, tokens and calls are never negative: bars and lines start at zero.
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      {
        ...axis,
        splits: p.daily ? () => daySplits(current.p.x) : undefined,
        values: (_u, ticks, _ai, _space, incr) => timeTickLabels(ticks, p.daily ? 86_400 : incr),
      },
      { ...axis, size: 70, values: (_u, ticks) => (p.formatTicks ? p.formatTicks(ticks) : ticks.map((t) => fmt(t))) },
    ],
    series: [
      {
        label: p.daily ? 'Day' : 'Time',
        value: (_u, v) => {
          const x = current.p.x;
          if (v != null) return xLabel(current.p, v);
          if (x.length === 0) return '—';
          if (idle === 'latest') return `latest (${xLabel(current.p, x[x.length - 1])})`;
          return x.length === 1 ? xLabel(current.p, x[0]) : `${xLabel(current.p, x[0])} – ${xLabel(current.p, x[x.length - 1])}`;
        },
      },
      ...drawn(p).series.map((s, i) => ({
        label: s.label,
        stroke: colors[i],
        fill: p.kind === 'line' ? undefined : colors[i],
        width: p.kind === 'line' ? 2 : 0,
        paths: bars,
        points: { show: p.kind === 'line' && p.x.length < 60 },
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
          // Hovered: the bucket's own value (not the stacked sum); otherwise the total or latest.
          const values = drawn(current.p).legend[i]?.values ?? [];
          const shown = idx === null ? legendIdleValue(values, idle) : values[idx];
          return shown == null ? '—' : fmt(shown);
        },
      })),
    ],
  };
}

const aligned = (p: ChartProps) => [p.x, ...drawn(p).series.map((s) => s.values)] as uPlot.AlignedData;

/**
 * A uPlot chart coloured from the theme. A change of shape (kind, series, theme) builds it again;
 * new data for the same series only updates it (`setData`), so live charts do not flicker.
 */
export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const current = useRef({ p });
  current.current.p = p;
  const theme = themeTick.value;
  const empty = p.x.length === 0;
  const shape = `${p.kind}|${p.daily}|${p.height}|${p.legendIdle}|${theme}|${empty}|${p.series.map((s) => s.label).join('\u0000')}`;
  useEffect(() => {
    const el = box.current;
    if (!el || empty) return;
    const opts = buildOptions(p, Math.max(el.clientWidth, 200), current.current);
    const u = new uPlot(opts, aligned(p), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 200), height: p.height ?? 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);
  const drawnData = useRef<ChartProps | null>(null);
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    if (drawnData.current && drawnData.current !== p && (drawnData.current.x !== p.x || drawnData.current.series !== p.series)) u.setData(aligned(p));
    drawnData.current = p;
  }, [p.x, p.series]);
  if (empty) return <p class="muted">No data for this period.</p>;
  const summaryId = p.testId ? `${p.testId}-summary` : undefined;
  return (
    <figure class="chart-figure" data-testid={p.testId}>
      {p.title && <figcaption class="chart-title">{p.title}</figcaption>}
      {p.summary && (
        <p class="chart-summary muted" id={summaryId}>
          {p.summary}
        </p>
      )}
      <div class="chart" ref={box} role="img" aria-label={p.label} aria-describedby={p.summary ? summaryId : undefined} />
    </figure>
  );
}
