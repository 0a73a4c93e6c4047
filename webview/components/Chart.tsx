import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { chartColors, seriesColors, themeTick } from '../lib/theme';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartProps {
  /** x values: epoch seconds (time axis) or indexes. */
  x: number[];
  series: ChartSeries[];
  kind: 'line' | 'bars' | 'stacked-bars';
  height?: number;
  /** Accessible description of what the chart shows. */
  label: string;
  formatValue?: (v: number) => string;
  /** x axis in days (dates only). */
  daily?: boolean;
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

function buildOptions(p: ChartProps, width: number, legendValues?: (number | null)[][]): uPlot.Options {
  const c = chartColors();
  const colors = seriesColors(p.series.length);
  const fmt = p.formatValue ?? ((v: number) => String(v));
  const bars = p.kind !== 'line' ? uPlot.paths.bars!({ size: [0.7, 60], gap: 1 }) : undefined;
  const axis = { stroke: c.foreground, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  return {
    width,
    height: p.height ?? 220,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // Days: half a day of room on each side so a single bar is not cut in half.
      x: { time: true, range: p.daily ? (_u, min, max) => [min - 43_200, max + 43_200] : undefined },
      // Costs, tokens and calls are never negative: bars and lines start at zero.
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      {
        ...axis,
        splits: p.daily ? () => daySplits(p.x) : undefined,
        values: p.daily ? (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })) : undefined },
      { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => fmt(t)) },
    ],
    series: [
      { value: p.daily ? (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleDateString()) : undefined },
      ...p.series.map((s, i) => ({
        label: s.label,
        stroke: colors[i],
        fill: p.kind === 'line' ? undefined : colors[i],
        width: p.kind === 'line' ? 2 : 0,
        paths: bars,
        points: { show: p.kind === 'line' && p.x.length < 60 },
        value: (_u: uPlot, v: number | null, _si: number, idx: number | null) => {
          const shown = legendValues && idx !== null ? legendValues[i][idx] : v;
          return shown == null ? '—' : fmt(shown);
        },
      })),
    ],
  };
}

/** A uPlot chart coloured from the theme; redraws on data, size and theme changes. */
export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const theme = themeTick.value;
  useEffect(() => {
    const el = box.current;
    if (!el || p.x.length === 0) return;
    // Stacked bars: draw the cumulative series, tallest first, so each band shows its own part.
    const shown = p.kind === 'stacked-bars' ? stackValues(p.series).reverse() : p.series;
    const legend = p.kind === 'stacked-bars' ? [...p.series].reverse().map((s) => s.values) : undefined;
    const opts = buildOptions({ ...p, series: shown }, Math.max(el.clientWidth, 200), legend);
    if (p.kind === 'stacked-bars') {
      const colors = seriesColors(p.series.length).reverse();
      opts.series.slice(1).forEach((s, i) => {
        s.stroke = colors[i];
        s.fill = colors[i];
      });
    }
    const plot = new uPlot(opts, [p.x, ...shown.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height: p.height ?? 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [p.x, p.series, p.kind, theme]);
  if (p.x.length === 0) return <p class="muted">No data for this period.</p>;
  return <div class="chart" ref={box} role="img" aria-label={p.label} />;
}
