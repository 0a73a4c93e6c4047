/**
 * OTLP metric points → counter rows (`store/queries/otelMetrics.ts`). Kept: monotonic or not,
 * every `claude_code.*` sum (sessions, lines of code, commits, pull requests, active time, and the
 * token/cost sums, which stay informational) and the Codex sums worth showing. Gauges and
 * histograms are accepted and dropped.
 */
import type { OtelCounterPoint } from '../store/queries/otelMetrics';
import { otelAgentOf } from './otelAgent';
import { nanosToMs, type AttrValue, type OtlpMetricPoint } from './otlpRecords';


/** Attributes that identify a user or process, not what a counter counts. */
const DROPPED_ATTRIBUTES = new Set([
  'session.id',
  'conversation.id',
  'user.id',
  'user.email',
  'user.account_uuid',
  'organization.id',
  'terminal.type',
  'app.version',
  'originator',
]);
const MAX_ATTRIBUTES_JSON = 1000;
const DELTA = 1;
const CUMULATIVE = 2;

export interface CounterMapping {
  rows: OtelCounterPoint[];
  /** The point each row came from (same index): who sent it (`otlpIngest.ts`). */
  sources: OtlpMetricPoint[];
  /** Points that were counters of a known agent but unusable (no value, no time, no temporality). */
  rejected: { index: number; reason: string }[];
}

function pad(ns: string): string {
  return ns.padStart(20, '0');
}

function canonicalAttributes(attrs: Record<string, AttrValue>): string {
  const kept = Object.keys(attrs)
    .filter((k) => !DROPPED_ATTRIBUTES.has(k))
    .sort()
    .map((k) => [k, attrs[k]] as const);
  const json = JSON.stringify(Object.fromEntries(kept));
  return json.length > MAX_ATTRIBUTES_JSON ? JSON.stringify({ truncated: json.slice(0, MAX_ATTRIBUTES_JSON) }) : json;
}

export function counterRowsOf(points: OtlpMetricPoint[]): CounterMapping {
  const out: CounterMapping = { rows: [], sources: [], rejected: [] };
  for (const p of points) {
    if (p.kind !== 'sum') continue;
    const agent = otelAgentOf(p.resource, p.metric);
    if (!agent?.otel?.keepsCounter?.(p.metric)) continue;
    const reject = (reason: string) => out.rejected.push({ index: p.index, reason: `${p.metric}: ${reason}` });
    if (p.value === null) { reject('data point has no finite value'); continue; }
    if (p.temporality !== DELTA && p.temporality !== CUMULATIVE) { reject('aggregationTemporality must be 1 (delta) or 2 (cumulative)'); continue; }
    const observedAt = nanosToMs(p.timeUnixNano);
    if (observedAt === null || !p.timeUnixNano) { reject('data point has no usable timeUnixNano'); continue; }
    const session = p.attributes['session.id'] ?? p.attributes['conversation.id'];
    const end = pad(p.timeUnixNano);
    out.rows.push({
      agent_type: agent.identity.agentType,
      metric: p.metric,
      session_id: typeof session === 'string' ? session.slice(0, 256) : '',
      attributes: canonicalAttributes(p.attributes),
      stream_start: pad(p.startTimeUnixNano ?? '0'),
      point_key: p.temporality === DELTA ? end : 'cumulative',
      end_ns: end,
      value: p.value,
      unit: p.unit.slice(0, 50),
      observed_at: observedAt,
    });
    out.sources.push(p);
  }
  return out;
}
