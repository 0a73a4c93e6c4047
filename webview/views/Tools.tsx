import { useMemo } from 'preact/hooks';
import type { ToolStats } from '../../src/core/contracts/api';
import { Chart, type ChartSeries } from '../components/Chart';
import { PeriodPicker, usePeriod } from '../components/PeriodPicker';
import { useApi } from '../components/useApi';
import { ErrorNote, Loading, Section, SortTh, type SortState } from '../components/ui';
import { useTableSort } from '../components/useTableSort';
import { localTimeZone } from '../data/appState';
import { formatDuration, formatInt, formatPercent } from '../lib/format';
import { dayToEpochS, periodOfDays, periodRange } from '../lib/period';
import { VIEW_DEFAULT_REQUESTS } from '../../src/core/contracts/webview';
import { foldSeries } from '../lib/chartData';
import type { SortValue } from '../lib/tableSort';

/** Tools drawn as their own series; the others are summed into "Other". */
export const TOOLS_IN_CHART = 8;

function bucketToEpochS(bucket: string): number {
  // Day buckets are `YYYY-MM-DD`; hour buckets are ISO times.
  return /^\d{4}-\d{2}-\d{2}$/.test(bucket) ? dayToEpochS(bucket) : Date.parse(bucket) / 1000;
}

/** Calls per bucket: the most-called tools each as a series, the rest as "Other" (`folded` of them). */
export function toolTimeline(t: ToolStats): { x: number[]; series: ChartSeries[]; folded: number } {
  const buckets = [...new Set(t.timeline.map((r) => r.bucket))].sort((a, b) => bucketToEpochS(a) - bucketToEpochS(b));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const names = t.tools.map((x) => x.tool_name);
  const all = names.map((name) => ({ label: name, values: new Array<number | null>(buckets.length).fill(0) }));
  const si = new Map(names.map((n, i) => [n, i]));
  for (const r of t.timeline) {
    const s = si.get(r.tool_name);
    const b = index.get(r.bucket);
    if (s !== undefined && b !== undefined) all[s].values[b] = (all[s].values[b] ?? 0) + r.calls;
  }
  const { series, folded } = foldSeries(all, TOOLS_IN_CHART + 1);
  return { x: buckets.map(bucketToEpochS), series, folded };
}

export function Tools() {
  const { tools: defaults } = VIEW_DEFAULT_REQUESTS;
  const [period, setPeriod] = usePeriod('tools', defaults.days);
  // The default period's request is the contract's (the server keeps its answer ready); others by day.
  const stats = useApi(defaults.path, { ...periodRange(period), tz: localTimeZone(), ...(period.id === periodOfDays(defaults.days) ? defaults.queries[0] : { bucket: 'day' }) });
  const chart = useMemo(() => (stats.data ? toolTimeline(stats.data) : null), [stats.data]);
  const d = stats.data;
  return (
    <div class="view-tools">
      <Section title="Tools" id="tools" actions={<PeriodPicker value={period} onChange={setPeriod} />}>
        <ErrorNote error={stats.error} what="tool statistics" />
        {!d && !stats.error && <Loading what="tool statistics" />}
        {d && d.tools.length === 0 && <p class="muted">No tool calls in this period.</p>}
        {d && d.tools.length > 0 && (
          <>
            {chart && (
              <Chart
                kind="stacked-bars"
                x={chart.x}
                series={chart.series}
                daily={d.bucket === 'day'}
                bucketS={d.bucket === 'day' ? 86_400 : 3600}
                title={`Tool calls per ${d.bucket} (calls)`}
                summary={
                  chart.folded > 0
                    ? `The ${TOOLS_IN_CHART} most-called tools; the other ${chart.folded} are summed as "Other". Legend: totals for the period, or the hovered ${d.bucket}.`
                    : `Legend: totals for the period, or the hovered ${d.bucket}.`
                }
                label={`Tool calls per ${d.bucket}, stacked by tool`}
                formatValue={(v) => formatInt(v)}
                testId="tools-chart"
              />
            )}
            <ToolTable tools={d.tools} />
          </>
        )}
      </Section>
    </div>
  );
}

type ToolRow = ToolStats['tools'][number];
type ToolSortKey = 'tool_name' | 'calls' | 'errors' | 'error_rate' | 'p50_ms' | 'p95_ms' | 'avg_ms' | 'running';
const TOOL_COLUMNS: Record<ToolSortKey, (t: ToolRow) => SortValue> = {
  tool_name: (t) => t.tool_name,
  calls: (t) => t.calls,
  errors: (t) => t.errors,
  error_rate: (t) => t.error_rate,
  p50_ms: (t) => t.p50_ms,
  p95_ms: (t) => t.p95_ms,
  avg_ms: (t) => t.avg_ms,
  running: (t) => t.running,
};
const TOOL_HEADERS: [string, ToolSortKey][] = [
  ['Calls', 'calls'],
  ['Errors', 'errors'],
  ['Failure rate', 'error_rate'],
  ['p50', 'p50_ms'],
  ['p95', 'p95_ms'],
  ['Average', 'avg_ms'],
  ['Running', 'running'],
];
/** The server's order: most called first. */
const TOOL_SORT: SortState<ToolSortKey> = { key: 'calls', dir: 'desc' };

function ToolTable(p: { tools: ToolRow[] }) {
  const { rows, sort, onSort } = useTableSort(p.tools, TOOL_COLUMNS, TOOL_SORT, ['tool_name']);
  return (
    <table class="table" data-testid="tools-table">
      <thead>
        <tr>
          <SortTh label="Tool" sortKey="tool_name" sort={sort} onSort={onSort} />
          {TOOL_HEADERS.map(([label, key]) => (
            <SortTh key={key} label={label} sortKey={key} sort={sort} onSort={onSort} class="num" />
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.tool_name} data-key={t.tool_name}>
            <td>{t.tool_name}</td>
            <td class="num" data-col="calls">
              {formatInt(t.calls)}
            </td>
            <td class="num">{formatInt(t.errors)}</td>
            <td class={`num${t.error_rate > 0.1 ? ' warn' : ''}`} data-col="error-rate">
              {formatPercent(t.error_rate)}
            </td>
            <td class="num" data-col="p50">
              {formatDuration(t.p50_ms)}
            </td>
            <td class="num" data-col="p95">
              {formatDuration(t.p95_ms)}
            </td>
            <td class="num">{formatDuration(t.avg_ms)}</td>
            <td class="num">{formatInt(t.running)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
