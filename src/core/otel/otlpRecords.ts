/**
 * Flattens OTLP export requests (the OTLP/JSON shape, which decoded protobuf is turned into too)
 * into plain log records, metric points and spans. Tolerant where the specification asks it
 * (64-bit integers as numbers or decimal strings, unknown fields ignored, missing times); strict
 * about the containers, whose wrong shape makes the whole request a 400.
 */
import { isPlausibleEventMs } from '../contracts/eventTime';

/** An attribute value after conversion from OTLP `AnyValue`. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** The request's structure is wrong (not a record's content): the route answers 400. */
export class OtlpShapeError extends Error {}

export interface OtlpLogRecord {
  /** Position within the request, for error messages. */
  index: number;
  resource: Attributes;
  scope: string;
  attributes: Attributes;
  body: AttrValue;
  /** `LogRecord.event_name` (OTLP 1.5+, what current SDKs set for events); '' when absent. */
  eventName: string;
  /** Decimal nanoseconds, null when absent or 0. */
  timeUnixNano: string | null;
  observedTimeUnixNano: string | null;
  /** Set when the entry was not a log record object at all (it is then rejected). */
  malformed?: true;
}

export type MetricKind = 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';

export interface OtlpMetricPoint {
  index: number;
  resource: Attributes;
  scope: string;
  metric: string;
  unit: string;
  kind: MetricKind;
  /** 1 = delta, 2 = cumulative, 0 = unspecified (gauges). */
  temporality: number;
  monotonic: boolean;
  attributes: Attributes;
  startTimeUnixNano: string | null;
  timeUnixNano: string | null;
  /** asDouble / asInt for sums and gauges, `sum` for histograms; null when missing or not finite. */
  value: number | null;
}

const MAX_DEPTH = 8;
const METRIC_KINDS: MetricKind[] = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[key]` as an array; absent → []; present but not an array → shape error naming `where`. */
function list(obj: Record<string, unknown>, key: string, where: string): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpShapeError(`${where}${key} must be an array`);
  return v;
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new OtlpShapeError(`${where} must be an object`);
  return v;
}

/**
 * A 64-bit unsigned integer in either spelling (JSON number or decimal string) as a canonical
 * decimal string; null when absent, zero, negative or not an integer.
 */
export function uint64String(v: unknown): string | null {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0 || !Number.isInteger(v)) return null;
    s = BigInt(v).toString();
  } else if (typeof v === 'string' && /^\d{1,40}$/.test(v)) {
    s = v.replace(/^0+/, '');
    if (!s) return null;
  } else {
    return null;
  }
  return BigInt(s) > 0xffffffffffffffffn ? null : s;
}

/** A number from a JSON number or a numeric string (`"2538"`); undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** OTLP `AnyValue` → plain value. 64-bit ints beyond 2^53 stay decimal strings. */
export function anyValue(v: unknown, depth = 0): AttrValue {
  if (!isObject(v) || depth > MAX_DEPTH) return null;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) {
    const n = toNumber(v.intValue);
    if (n === undefined) return null;
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return toNumber(v.doubleValue) ?? null;
  if (isObject(v.arrayValue)) {
    const values = Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    return values.map((x) => anyValue(x, depth + 1));
  }
  if (isObject(v.kvlistValue)) return keyValues(v.kvlistValue.values, depth + 1);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return null;
}

/** `[{key, value}]` → object; malformed entries are skipped. */
export function keyValues(kvs: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(kvs)) return out;
  for (const kv of kvs) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

function scopeName(scopeHolder: Record<string, unknown>): string {
  const scope = scopeHolder.scope;
  return isObject(scope) && typeof scope.name === 'string' ? scope.name : '';
}

function resourceOf(holder: Record<string, unknown>): Attributes {
  return isObject(holder.resource) ? keyValues(holder.resource.attributes) : {};
}

export function logRecordsOf(request: unknown): OtlpLogRecord[] {
  const req = object(request, 'the request body');
  const out: OtlpLogRecord[] = [];
  list(req, 'resourceLogs', '').forEach((rlRaw, i) => {
    const rl = object(rlRaw, `resourceLogs[${i}]`);
    const resource = resourceOf(rl);
    list(rl, 'scopeLogs', `resourceLogs[${i}].`).forEach((slRaw, j) => {
      const sl = object(slRaw, `resourceLogs[${i}].scopeLogs[${j}]`);
      const scope = scopeName(sl);
      for (const r of list(sl, 'logRecords', `resourceLogs[${i}].scopeLogs[${j}].`)) {
        const rec = isObject(r) ? r : {};
        out.push({
          index: out.length,
          resource,
          scope,
          attributes: keyValues(rec.attributes),
          body: anyValue(rec.body),
          eventName: typeof rec.eventName === 'string' ? rec.eventName : '',
          timeUnixNano: uint64String(rec.timeUnixNano),
          observedTimeUnixNano: uint64String(rec.observedTimeUnixNano),
          ...(isObject(r) ? {} : { malformed: true as const }),
        });
      }
    });
  });
  return out;
}

function pointValue(kind: MetricKind, p: Record<string, unknown>): number | null {
  if (kind === 'sum' || kind === 'gauge') return toNumber(p.asDouble) ?? toNumber(p.asInt) ?? null;
  return toNumber(p.sum) ?? null;
}

export function metricPointsOf(request: unknown): OtlpMetricPoint[] {
  const req = object(request, 'the request body');
  const out: OtlpMetricPoint[] = [];
  list(req, 'resourceMetrics', '').forEach((rmRaw, i) => {
    const rm = object(rmRaw, `resourceMetrics[${i}]`);
    const resource = resourceOf(rm);
    list(rm, 'scopeMetrics', `resourceMetrics[${i}].`).forEach((smRaw, j) => {
      const sm = object(smRaw, `resourceMetrics[${i}].scopeMetrics[${j}]`);
      const scope = scopeName(sm);
      for (const mRaw of list(sm, 'metrics', `resourceMetrics[${i}].scopeMetrics[${j}].`)) {
        if (!isObject(mRaw)) continue;
        const kind = METRIC_KINDS.find((k) => isObject(mRaw[k]));
        if (!kind) continue;
        const body = mRaw[kind] as Record<string, unknown>;
        const points = Array.isArray(body.dataPoints) ? body.dataPoints : [];
        for (const pRaw of points) {
          const p = isObject(pRaw) ? pRaw : {};
          out.push({
            index: out.length,
            resource,
            scope,
            metric: typeof mRaw.name === 'string' ? mRaw.name : '',
            unit: typeof mRaw.unit === 'string' ? mRaw.unit : '',
            kind,
            temporality: toNumber(body.aggregationTemporality) ?? 0,
            monotonic: body.isMonotonic === true,
            attributes: keyValues(p.attributes),
            startTimeUnixNano: uint64String(p.startTimeUnixNano),
            timeUnixNano: uint64String(p.timeUnixNano),
            value: pointValue(kind, p),
          });
        }
      }
    });
  });
  return out;
}

export interface OtlpSpan {
  index: number;
  resource: Attributes;
  scope: string;
  name: string;
  spanId: string;
  attributes: Attributes;
  startTimeUnixNano: string | null;
  endTimeUnixNano: string | null;
  /** `Status.code`: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  /** Set when the entry was not a span object at all (it is then rejected). */
  malformed?: true;
}

/** The spans of a trace export, flattened (only those of agents with a span mapping are stored). */
export function spansOf(request: unknown): OtlpSpan[] {
  const req = object(request, 'the request body');
  const out: OtlpSpan[] = [];
  list(req, 'resourceSpans', '').forEach((rsRaw, i) => {
    const rs = object(rsRaw, `resourceSpans[${i}]`);
    const resource = isObject(rs.resource) ? keyValues(rs.resource.attributes) : {};
    list(rs, 'scopeSpans', `resourceSpans[${i}].`).forEach((ssRaw, j) => {
      const ss = object(ssRaw, `resourceSpans[${i}].scopeSpans[${j}]`);
      const scope = isObject(ss.scope) && typeof ss.scope.name === 'string' ? ss.scope.name : '';
      for (const sp of list(ss, 'spans', `resourceSpans[${i}].scopeSpans[${j}].`)) {
        const index = out.length;
        if (!isObject(sp)) {
          out.push({ index, resource, scope, name: '', spanId: '', attributes: {}, startTimeUnixNano: null, endTimeUnixNano: null, statusCode: 0, statusMessage: '', malformed: true });
          continue;
        }
        const status = isObject(sp.status) ? sp.status : {};
        out.push({
          index,
          resource,
          scope,
          name: typeof sp.name === 'string' ? sp.name : '',
          spanId: typeof sp.spanId === 'string' ? sp.spanId : '',
          attributes: keyValues(sp.attributes),
          startTimeUnixNano: uint64String(sp.startTimeUnixNano),
          endTimeUnixNano: uint64String(sp.endTimeUnixNano),
          statusCode: toNumber(status.code) ?? 0,
          statusMessage: typeof status.message === 'string' ? status.message : '',
        });
      }
    });
  });
  return out;
}

/** Decimal nanoseconds → epoch ms, null outside the event time range (garbage or a unit mix-up). */
export function nanosToMs(ns: string | null): number | null {
  if (!ns) return null;
  const ms = Number(BigInt(ns) / 1_000_000n);
  return isPlausibleEventMs(ms) ? ms : null;
}

/**
 * When a log record happened, as ISO: `timeUnixNano` when set (Codex sends 0), else the
 * `event.timestamp` attribute, else `observedTimeUnixNano`; undefined when none is usable (out of
 * the event time range counts as unusable: the record is then stored at the time received).
 */
export function logRecordTime(rec: OtlpLogRecord): string | undefined {
  const t = nanosToMs(rec.timeUnixNano);
  if (t !== null) return new Date(t).toISOString();
  const attr = rec.attributes['event.timestamp'];
  if (typeof attr === 'string') {
    const ms = Date.parse(attr);
    if (isPlausibleEventMs(ms)) return new Date(ms).toISOString();
  }
  const o = nanosToMs(rec.observedTimeUnixNano);
  return o !== null ? new Date(o).toISOString() : undefined;
}
