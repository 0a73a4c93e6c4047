import { useMemo, useState } from 'preact/hooks';
import type { CostBreakdown, CostRow } from '../../src/core/contracts/api';
import { useApp } from '../components/appContext';
import { Chart, type ChartSeries } from '../components/Chart';
import { PeriodPicker, usePeriod } from '../components/PeriodPicker';
import { TokenCells, TokenHeaderCells, type TokenSortKey } from '../components/tokenCells';
import { useApi } from '../components/useApi';
import { ErrorNote, Loading, Metric, Section, SortTh, UnpricedNote, type SortState } from '../components/ui';
import { useTableSort } from '../components/useTableSort';
import { localTimeZone, routeHash } from '../data/appState';
import { roundCost, toCsv, toJson, type ExportTable } from '../lib/exportData';
import { formatInt, formatTokens, formatUsd, formatUsdTicks, totalTokens } from '../lib/format';
import { dayToEpochS, periodName, periodRange } from '../lib/period';
import { VIEW_DEFAULT_REQUESTS } from '../../src/core/contracts/webview';
import type { SortValue } from '../lib/tableSort';

const MAX_MODELS_IN_CHART = 8;

/** The tables the view can export; each CSV file holds one. */
export const COST_EXPORTS = [
  { id: 'by_day', label: 'By day', key: 'day' },
  { id: 'by_model', label: 'By model', key: 'model' },
  { id: 'by_project', label: 'By project', key: 'project' },
  { id: 'by_session', label: 'By session', key: 'session_id' },
] as const;
export type CostExportId = (typeof COST_EXPORTS)[number]['id'];

/** One exported table: the group's key column (`day` as an ISO date), costs rounded (`roundCost`). */
export function costTable(id: CostExportId, rows: CostRow[]): ExportTable {
  const key = COST_EXPORTS.find((e) => e.id === id)!.key;
  return {
    name: id,
    columns: [key, 'cost_usd', 'tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'unpriced_tokens', 'requests', 'events', 'sessions'],
    rows: rows.map((r) => [r.key, roundCost(r.cost_usd), r.tokens_in, r.tokens_out, r.cache_read_tokens, r.cache_write_tokens, r.unpriced_tokens ?? 0, r.requests, r.events, r.sessions]),
  };
}

/** Per day, stacked by model (the top models, the rest as "other"). */
export function stackedByModel(b: CostBreakdown): { x: number[]; series: ChartSeries[] } {
  const days = b.rows.map((r) => r.key);
  const index = new Map(days.map((d, i) => [d, i]));
  const byModel = new Map<string, number>();
  for (const s of b.stacked ?? []) byModel.set(s.model, (byModel.get(s.model) ?? 0) + s.cost_usd);
  const top = [...byModel.entries()].sort((a, z) => z[1] - a[1]).map(([m]) => m);
  const shown = top.slice(0, MAX_MODELS_IN_CHART);
  const hasOther = top.length > shown.length;
  const series: ChartSeries[] = [...shown, ...(hasOther ? ['other'] : [])].map((m) => ({ label: m || 'no model', values: new Array(days.length).fill(0) }));
  const seriesIndex = new Map(shown.map((m, i) => [m, i]));
  for (const s of b.stacked ?? []) {
    const di = index.get(s.key);
    if (di === undefined) continue;
    const si = seriesIndex.get(s.model) ?? (hasOther ? series.length - 1 : -1);
    if (si >= 0) series[si].values[di] = (series[si].values[di] ?? 0) + s.cost_usd;
  }
  return { x: days.map(dayToEpochS), series };
}

type CostSortKey = 'key' | 'cost_usd' | TokenSortKey | 'requests';
const COST_COLUMNS: Record<CostSortKey, (r: CostRow) => SortValue> = {
  key: (r) => r.key,
  cost_usd: (r) => r.cost_usd,
  tokens_in: (r) => r.tokens_in,
  tokens_out: (r) => r.tokens_out,
  cache_read_tokens: (r) => r.cache_read_tokens,
  cache_write_tokens: (r) => r.cache_write_tokens,
  requests: (r) => r.requests,
};
/** The server's order: most expensive first. */
const COST_SORT: SortState<CostSortKey> = { key: 'cost_usd', dir: 'desc' };

function CostTable(p: { rows: CostRow[]; keyLabel: string; link?: (key: string) => string; testId: string }) {
  const shown = useMemo(() => p.rows.filter((r) => r.cost_usd > 0 || totalTokens(r) > 0), [p.rows]);
  const { rows, sort, onSort } = useTableSort(shown, COST_COLUMNS, COST_SORT, ['key']);
  if (rows.length === 0) return <p class="muted">Nothing in this period.</p>;
  return (
    <table class="table" data-testid={p.testId}>
      <thead>
        <tr>
          <SortTh label={p.keyLabel} sortKey="key" sort={sort} onSort={onSort} />
          <SortTh label="Cost" sortKey="cost_usd" sort={sort} onSort={onSort} class="num" />
          <TokenHeaderCells sort={sort} onSort={onSort} />
          <SortTh label="Requests" sortKey="requests" sort={sort} onSort={onSort} class="num" />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key}>
            <td>
              {p.link ? <a href={p.link(r.key)}>{r.key}</a> : r.key || '—'}{' '}
              <UnpricedNote tokens={r.unpriced_tokens} format={formatTokens} />
            </td>
            <td class="num" data-col="cost">
              {formatUsd(r.cost_usd)}
            </td>
            <TokenCells t={r} />
            <td class="num">{formatInt(r.requests)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Costs() {
  const app = useApp();
  const [period, setPeriod] = usePeriod('costs', VIEW_DEFAULT_REQUESTS.costs.days);
  const q = { ...periodRange(period), tz: localTimeZone() };
  const name = periodName(period);
  // The server keeps these answers ready for the default period: one list, in the contract.
  const [byDay, byModel, byProject, bySession] = VIEW_DEFAULT_REQUESTS.costs.queries;
  const day = useApi(VIEW_DEFAULT_REQUESTS.costs.path, { ...q, ...byDay });
  const model = useApi(VIEW_DEFAULT_REQUESTS.costs.path, { ...q, ...byModel });
  const project = useApi(VIEW_DEFAULT_REQUESTS.costs.path, { ...q, ...byProject });
  const session = useApi(VIEW_DEFAULT_REQUESTS.costs.path, { ...q, ...bySession });
  const chart = useMemo(() => (day.data ? stackedByModel(day.data) : null), [day.data]);
  // The four answers arrive one by one; each re-renders this view. Kept vnodes are skipped by
  // Preact's diff, so each answer renders only its own section.
  const chartView = useMemo(
    () => chart && (
        <Chart
          kind="stacked-bars"
          x={chart.x}
          series={chart.series}
          daily
          title="Cost per day (USD), by model"
          label="Cost per day in US dollars, stacked by model"
          formatValue={formatUsd}
          formatTicks={formatUsdTicks}
          height={240}
          testId="costs-chart"
        />
      ),
    [chart],
  );
  const modelTable = useMemo(() => model.data && <CostTable rows={model.data.rows} keyLabel="Model" testId="cost-by-model" />, [model.data]);
  const projectTable = useMemo(() => project.data && <CostTable rows={project.data.rows} keyLabel="Project" testId="cost-by-project" />, [project.data]);
  const sessionTable = useMemo(
    () =>
      session.data && (
        <CostTable rows={session.data.rows} keyLabel="Session" testId="cost-by-session" link={(k) => routeHash({ view: 'sessions', sessionId: k })} />
      ),
    [session.data],
  );
  const totals = day.data?.totals;

  const [exportId, setExportId] = useState<CostExportId>('by_day');
  const answers: Record<CostExportId, CostRow[]> = {
    by_day: day.data?.rows ?? [],
    by_model: model.data?.rows ?? [],
    by_project: project.data?.rows ?? [],
    by_session: session.data?.rows ?? [],
  };
  const exportTables = (): ExportTable[] => COST_EXPORTS.map((e) => costTable(e.id, answers[e.id]));
  const stamp = new Date().toISOString().slice(0, 10);
  const roundedTotals = totals && { ...totals, cost_usd: roundCost(totals.cost_usd) };
  const actions = (
    <>
      <PeriodPicker value={period} onChange={setPeriod} />
      <select aria-label="Table to export as CSV" data-testid="export-table" value={exportId} onChange={(e) => setExportId((e.target as HTMLSelectElement).value as CostExportId)}>
        {COST_EXPORTS.map((e) => (
          <option key={e.id} value={e.id}>
            {e.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        class="btn"
        data-testid="export-csv"
        onClick={() => app.ds.save(`agentmonitor-costs-${exportId}-${name}-${stamp}.csv`, 'text/csv', toCsv(costTable(exportId, answers[exportId])))}
      >
        Export CSV
      </button>
      <button
        type="button"
        class="btn"
        data-testid="export-json"
        onClick={() => app.ds.save(`agentmonitor-costs-${name}-${stamp}.json`, 'application/json', toJson(exportTables(), { period: name, since: q.since, until: q.until, tz: q.tz, totals: roundedTotals }))}
      >
        Export JSON
      </button>
    </>
  );

  return (
    <div class="view-costs">
      <Section title="Cost" id="costs" actions={actions}>
        <ErrorNote error={day.error} what="costs" />
        {totals ? (
          <div class="metrics">
            <Metric label="Cost" value={formatUsd(totals.cost_usd)} testId="costs-total" sub={<UnpricedNote tokens={totals.unpriced_tokens} format={formatTokens} />} />
            <Metric label="Input" value={formatTokens(totals.tokens_in)} title={formatInt(totals.tokens_in)} testId="costs-input" />
            <Metric label="Output" value={formatTokens(totals.tokens_out)} title={formatInt(totals.tokens_out)} testId="costs-output" />
            <Metric label="Cache read" value={formatTokens(totals.cache_read_tokens)} title={formatInt(totals.cache_read_tokens)} testId="costs-cache-read" />
            <Metric label="Cache write" value={formatTokens(totals.cache_write_tokens)} title={formatInt(totals.cache_write_tokens)} testId="costs-cache-write" />
            <Metric label="All tokens" value={formatTokens(totalTokens(totals))} title={formatInt(totalTokens(totals))} />
          </div>
        ) : (
          !day.error && <Loading what="costs" />
        )}
        {chartView}
      </Section>
      <Section title="By model" id="by-model">
        <ErrorNote error={model.error} what="costs by model" />
        {modelTable}
      </Section>
      <Section title="By project" id="by-project">
        <ErrorNote error={project.error} what="costs by project" />
        {projectTable}
      </Section>
      <Section title="By session (top 50)" id="by-session">
        <ErrorNote error={session.error} what="costs by session" />
        {sessionTable}
      </Section>
    </div>
  );
}
