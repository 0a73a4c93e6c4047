/** Chart helpers without the DOM: axis labels, x ranges, legend values and series folding. */
import { formatClock, formatDate } from './format';

export interface SeriesData {
  label: string;
  values: (number | null)[];
}

/**
 * x-axis labels for epoch-second ticks, 24-hour: dates when the ticks are days apart, else
 * `HH:MM` with the date below the first tick of each day.
 */
export function timeTickLabels(ticksS: number[], incrS: number, now = Date.now()): string[] {
  if (incrS >= 86_400) return ticksS.map((t) => formatDate(t * 1000, now));
  let lastDay = '';
  return ticksS.map((t) => {
    const ms = t * 1000;
    const day = new Date(ms).toDateString();
    const clock = formatClock(ms);
    if (day === lastDay) return clock;
    lastDay = day;
    return `${clock}\n${formatDate(ms, now)}`;
  });
}

/** Width of one bucket in seconds: the smallest step between x values (one hour for a single one). */
export function bucketSeconds(x: number[], fallback = 3600): number {
  let min = Infinity;
  for (let i = 1; i < x.length; i++) min = Math.min(min, x[i] - x[i - 1]);
  return Number.isFinite(min) && min > 0 ? min : fallback;
}

/** The x range of a bar or line chart: the data's first to last bucket, half a bucket of room each side. */
export function xRange(x: number[], bucketS: number): [number, number] {
  if (x.length === 0) return [0, 1];
  return [x[0] - bucketS / 2, x[x.length - 1] + bucketS / 2];
}

/** What a legend shows for a series when the pointer is not over the chart: its total or its latest value. */
export function legendIdleValue(values: (number | null)[], mode: 'total' | 'latest'): number | null {
  if (mode === 'latest') {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }
  let sum = 0;
  for (const v of values) sum += v ?? 0;
  return sum;
}

/**
 * At most `max` series: the first `max - 1` as they are (callers order them by size), the rest
 * summed into one "Other" series. Also says how many series were folded.
 */
export function foldSeries(series: SeriesData[], max: number, otherLabel = 'Other'): { series: SeriesData[]; folded: number } {
  if (series.length <= max) return { series, folded: 0 };
  const kept = series.slice(0, max - 1);
  const rest = series.slice(max - 1);
  const n = series[0]?.values.length ?? 0;
  const values = Array.from({ length: n }, (_, i) => rest.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  return { series: [...kept, { label: otherLabel, values }], folded: rest.length };
}
