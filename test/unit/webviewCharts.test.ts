import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostRow, Pulse, Session, ToolStats } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { PulseSeries, runningSessions } from '../../webview/lib/pulse';
import { foldSeries, legendIdleValue, timeTickLabels, xRange } from '../../webview/lib/chartData';
import { formatDateTime, formatEntryTime, formatUsdTicks, spansDays } from '../../webview/lib/format';
import { MAX_DISTINCT_SERIES, seriesColorExpressions } from '../../webview/lib/theme';
import { roundCost, toCsv } from '../../webview/lib/exportData';
import { costTable } from '../../webview/views/Costs';
import { TOOLS_IN_CHART, toolTimeline } from '../../webview/views/Tools';
import { storedEvent } from '../helpers/storedEvent';

const MIN = 60_000;
const T0 = Date.parse('2026-03-10T12:00:00.000Z');
const ev = (id: number, at: number, cost: number | null = null): StoredEvent => storedEvent(id, { created_at: new Date(at).toISOString(), cost_usd: cost });

function pulseAnswer(over: Partial<Pulse> = {}): Pulse {
  return {
    generated_at: new Date(T0).toISOString(),
    bucket_s: 60,
    since: new Date(T0 - 59 * MIN).toISOString(),
    buckets: [{ at: new Date(T0 - 2 * MIN).toISOString(), events: 3, cost_usd: 0.5 }],
    last_event_id: 10,
    idle_after_minutes: 5,
    ...over,
  };
}

test('pulse: loaded once, then SSE events counted once each into their minute, sixty zero-filled minutes ending now', () => {
  const p = new PulseSeries(60);
  assert.equal(p.add([ev(11, T0 + 5_000, 0.25)]), false, 'before the answer events wait');
  p.load(pulseAnswer());
  let v = p.view(T0 + 30_000);
  assert.equal(v.x.length, 60);
  assert.equal(v.x[59], T0 / 1000, 'the last bucket is the current minute');
  assert.equal(v.events[57], 3);
  assert.equal(v.events[59], 1, 'the early event (id above the answer) counts');
  assert.equal(v.cost[59], 0.25);
  // Already in the answer (id 9), a completion of an earlier call (id 11 again): not counted.
  assert.equal(p.add([ev(9, T0 + 10_000, 1), ev(11, T0 + 10_000, 1)]), false);
  assert.equal(p.add([ev(12, T0 + 20_000, 0.5)]), true);
  v = p.view(T0 + 30_000);
  assert.equal(v.events[59], 2);
  assert.equal(v.totalEvents, 5);
  assert.equal(v.totalCost, 1.25);
  assert.deepEqual(v.peak, { at: T0 - 2 * MIN, events: 3 });
  // An hour later with nothing new, the window slides and the pulse is flat.
  v = p.view(T0 + 61 * MIN);
  assert.equal(v.totalEvents, 0);
  assert.equal(v.x.length, 60);
  assert.equal(v.peak, null);
});

test('running now: active sessions heard from within the idle threshold, top-level only', () => {
  const now = T0;
  const s = (id: string, status: Session['status'], minutesAgo: number, parent: string | null = null) =>
    ({ session_id: id, status, last_event_at: new Date(now - minutesAgo * MIN).toISOString(), parent_session_id: parent }) as Session;
  const got = runningSessions([s('a', 'active', 1), s('idle', 'idle', 2), s('stale', 'active', 6), s('sub', 'active', 1, 'a'), s('b', 'active', 0)], now, 5);
  assert.deepEqual(
    got.map((x) => x.session_id),
    ['b', 'a'],
  );
});

test('chart x range: one bucket is half a bucket each side, not years', () => {
  assert.deepEqual(xRange([T0 / 1000], 3600), [T0 / 1000 - 1800, T0 / 1000 + 1800]);
  assert.deepEqual(xRange([100, 160, 220], 60), [70, 250]);
});

test('legend when not hovered: totals or the latest value', () => {
  assert.equal(legendIdleValue([1, null, 2, 4], 'total'), 7);
  assert.equal(legendIdleValue([1, 5, null], 'latest'), 5);
  assert.equal(legendIdleValue([], 'latest'), null);
});

test('series beyond the limit are summed into Other; colours do not repeat within the limit', () => {
  const series = Array.from({ length: 12 }, (_, i) => ({ label: `s${i}`, values: [i, 1] }));
  const { series: out, folded } = foldSeries(series, 9);
  assert.equal(out.length, 9);
  assert.equal(folded, 4);
  assert.deepEqual(out[8], { label: 'Other', values: [8 + 9 + 10 + 11, 4] });
  const colours = seriesColorExpressions(MAX_DISTINCT_SERIES);
  assert.ok(MAX_DISTINCT_SERIES >= 9);
  assert.equal(new Set(colours).size, colours.length);
  for (const c of colours) assert.match(c, /var\(--vscode-/);
});

test('tools chart: the most-called tools, the rest as Other, nothing lost', () => {
  const tools = Array.from({ length: 11 }, (_, i) => ({ tool_name: `t${i}`, calls: 100 - i, errors: 0, running: 0, error_rate: 0, p50_ms: null, p95_ms: null, avg_ms: null }));
  const t: ToolStats = { bucket: 'hour', tools, timeline: tools.map((x) => ({ bucket: '2026-03-10T12:00:00.000Z', tool_name: x.tool_name, calls: x.calls, errors: 0 })) };
  const c = toolTimeline(t);
  assert.equal(c.series.length, TOOLS_IN_CHART + 1);
  assert.equal(c.series[TOOLS_IN_CHART].label, 'Other');
  assert.equal(c.folded, 11 - TOOLS_IN_CHART);
  const total = c.series.reduce((a, s) => a + (s.values[0] ?? 0), 0);
  assert.equal(total, tools.reduce((a, x) => a + x.calls, 0));
});

test('dates carry the year when it is not this year; times are 24-hour; multi-day transcripts show the date', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  assert.match(formatDateTime('2025-12-30T15:04:00Z', now), /2025/);
  assert.doesNotMatch(formatDateTime('2026-03-01T15:04:00Z', now), /2026/);
  assert.doesNotMatch(formatDateTime('2026-03-01T15:04:00Z', now), /AM|PM/i);
  assert.equal(spansDays('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z'), false);
  assert.equal(spansDays('2026-03-01T10:00:00Z', '2026-03-04T11:00:00Z'), true);
  const at = '2026-03-02T15:04:05Z';
  assert.doesNotMatch(formatEntryTime(at, false, now), /Mar/);
  assert.match(formatEntryTime(at, true, now), /Mar/);
  assert.match(formatEntryTime(at, true, now), /:05/);
  const labels = timeTickLabels([Date.parse('2026-03-02T13:00:00Z') / 1000, Date.parse('2026-03-02T19:00:00Z') / 1000], 6 * 3600, now);
  for (const l of labels) assert.doesNotMatch(l, /AM|PM/i);
  assert.match(labels.join(' '), /\d\d:00/);
  assert.match(labels[0], /\n/, 'the first tick of a day names the day');
  assert.doesNotMatch(labels[1], /\n/);
});

test('cost axis ticks share their decimals', () => {
  assert.deepEqual(formatUsdTicks([0, 0.5, 1, 1.5]), ['$0.00', '$0.50', '$1.00', '$1.50']);
  assert.deepEqual(formatUsdTicks([0, 0.0025, 0.005]), ['$0.0000', '$0.0025', '$0.0050']);
  assert.deepEqual(formatUsdTicks([0, 10, 20]), ['$0.00', '$10.00', '$20.00']);
});

test('cost CSV: one table per file, the key column named, costs rounded, days as ISO dates', () => {
  const row = (key: string, cost: number): CostRow => ({ key, cost_usd: cost, tokens_in: 1, tokens_out: 2, cache_read_tokens: 3, cache_write_tokens: 4, requests: 1, events: 2, sessions: 1 });
  const csv = toCsv(costTable('by_day', [row('2026-03-01', 0.1 + 0.2), row('2026-03-02', 1.23456789)]));
  assert.equal(
    csv,
    'day,cost_usd,tokens_in,tokens_out,cache_read_tokens,cache_write_tokens,unpriced_tokens,requests,events,sessions\n2026-03-01,0.3,1,2,3,4,0,1,2,1\n2026-03-02,1.234568,1,2,3,4,0,1,2,1\n',
  );
  assert.doesNotMatch(csv, /#/);
  assert.equal(roundCost(0.30000000000000004), 0.3);
  assert.match(toCsv(costTable('by_session', [row('s-1', 1)])), /^session_id,/);
});
