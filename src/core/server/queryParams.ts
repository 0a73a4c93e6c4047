/**
 * Reading query-string parameters with errors that name the parameter (answered as HTTP 400).
 * Lists are repeatable (`?model=a&model=b`) or comma-separated (`?model=a,b`), and bounded.
 */
import type { Response } from 'express';
import { SESSION_SORT_KEYS, type ApiError, type SessionSortKey, type SortDir } from '../contracts/api';
import { FILTER_KEYS, type EventFilter } from '../contracts/sse';
import { isTimeZone, localTimeZone, parseTimeBound } from '../zonedTime';

export type Query = Record<string, unknown>;

const MAX_LIST = 100;
const MAX_VALUE = 512;

export class QueryParamError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answer 400 for a QueryParamError; rethrow anything else. */
export function sendParamError(res: Response, e: unknown): void {
  if (!(e instanceof QueryParamError)) throw e;
  const body: ApiError = { error: e.message, errors: [{ field: e.field, message: e.message }] };
  res.status(400).json(body);
}

export function single(q: Query, field: string): string | undefined {
  const v = q[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new QueryParamError(field, `${field} must be given once`);
  const s = v.trim();
  if (s.length > MAX_VALUE) throw new QueryParamError(field, `${field} is longer than ${MAX_VALUE} characters`);
  return s === '' ? undefined : s;
}

export function list(q: Query, field: string): string[] | undefined {
  const v = q[field];
  if (v === undefined) return undefined;
  const raw = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') throw new QueryParamError(field, `${field} must be a string or a list of strings`);
    for (const part of item.split(',')) {
      const s = part.trim();
      if (!s) continue;
      if (s.length > MAX_VALUE) throw new QueryParamError(field, `${field} has a value longer than ${MAX_VALUE} characters`);
      out.push(s);
    }
  }
  if (out.length > MAX_LIST) throw new QueryParamError(field, `${field} has more than ${MAX_LIST} values`);
  return out.length ? [...new Set(out)] : undefined;
}

export function oneOf<T extends string>(q: Query, field: string, allowed: readonly T[], dflt: T): T {
  const v = single(q, field);
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new QueryParamError(field, `${field} must be one of ${allowed.join(', ')}, got "${v}"`);
  }
  return v as T;
}

export function int(q: Query, field: string, min: number, max: number, dflt: number): number {
  const v = single(q, field);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) {
    throw new QueryParamError(field, `${field} must be an integer from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

export function bool(q: Query, field: string, dflt: boolean): boolean {
  const v = single(q, field);
  if (v === undefined) return dflt;
  if (['1', 'true', 'yes'].includes(v.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(v.toLowerCase())) return false;
  throw new QueryParamError(field, `${field} must be true or false, got "${v}"`);
}

export function timeZone(q: Query, field = 'tz'): string {
  const v = single(q, field);
  if (v === undefined) return localTimeZone();
  if (!isTimeZone(v)) throw new QueryParamError(field, `${field} must be an IANA time zone such as "Europe/Berlin", got "${v}"`);
  return v;
}

/** The sessions list's order: `sort` (a column of SESSION_SORT_KEYS) and `dir` (`asc` or `desc`). */
export function sessionSort(q: Query): { sort: SessionSortKey; dir: SortDir } {
  return { sort: oneOf(q, 'sort', SESSION_SORT_KEYS, 'last_event_at'), dir: oneOf(q, 'dir', ['asc', 'desc'] as const, 'desc') };
}

/** A time bound as epoch ms: ISO date-time, `YYYY-MM-DD` (midnight in `tz`) or epoch ms. */
export function timeBound(q: Query, field: string, tz: string, endOfDay = false): number | null {
  const v = single(q, field);
  if (v === undefined) return null;
  const t = parseTimeBound(v, tz, endOfDay);
  if (t === null) {
    throw new QueryParamError(field, `${field} must be an ISO date-time, a date YYYY-MM-DD or epoch milliseconds, got "${v}"`);
  }
  return t;
}

/** The `since`/`until` pair; a bare `until` date includes that whole day. */
export function timeRange(q: Query, tz: string): { since: number | null; until: number | null } {
  const since = timeBound(q, 'since', tz);
  const until = timeBound(q, 'until', tz, true);
  if (since !== null && until !== null && until < since) throw new QueryParamError('until', 'until must not be before since');
  return { since, until };
}

/** Event filters shared by `/api/events` and `/api/stream`. */
export type FilterLists = Omit<EventFilter, 'since' | 'until'>;

export function filterLists(q: Query): FilterLists {
  const out: FilterLists = {};
  for (const k of FILTER_KEYS) {
    const v = list(q, k);
    if (v) out[k] = v;
  }
  return out;
}
