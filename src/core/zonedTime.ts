/**
 * Calendar days in an IANA time zone: day labels for epoch times, the epoch time of a local
 * midnight, and parsing of `since`/`until` values (ISO date-time, a bare date in the zone, or epoch
 * ms). Pure functions; used by the query layer, the routes and the report CLI.
 */

const DAY_MS = 86_400_000;
const CALENDAR_START = Date.UTC(1000, 0, 2);
const CALENDAR_END = Date.UTC(9999, 11, 30);

/**
 * Whether the day functions below are exact at `t` in every zone: four-digit years, a day to spare
 * at either end. Epoch times outside it (a stored year-9999 event) have no day to be counted in.
 */
export function isCalendarTime(t: number): boolean {
  return t >= CALENDAR_START && t < CALENDAR_END;
}
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 64) formatters.clear();
    formatters.set(tz, f);
  }
  return f;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(tz: string, t: number): WallClock {
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(tz).formatToParts(new Date(t))) {
    if (p.type in w) w[p.type as keyof WallClock] = Number(p.value);
  }
  return w;
}

/** Offset of the zone's wall clock from UTC at `t`, in ms (UTC+2 → 7,200,000). */
export function zoneOffsetMs(tz: string, t: number): number {
  const w = wallClock(tz, t);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of the local day containing `t` in `tz`. */
export function dayKey(t: number, tz: string): string {
  const w = wallClock(tz, t);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Epoch ms of local midnight starting the day `YYYY-MM-DD` in `tz`. */
export function dayStartOf(date: string, tz: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`expected a date YYYY-MM-DD, got "${date}"`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Two passes settle the offset across a DST change; a midnight that does not exist (a gap) moves
  // to the first instant of the day.
  let t = wall - zoneOffsetMs(tz, wall);
  t = wall - zoneOffsetMs(tz, t);
  if (dayKey(t, tz) !== date) t += 3_600_000;
  return t;
}

/** Epoch ms of the local midnight at or before `t`. */
export function startOfDay(t: number, tz: string): number {
  const start = dayStartOf(dayKey(t, tz), tz);
  return start > t ? start - DAY_MS : start;
}

/** The midnight `days` local days after the one starting at `dayStart` (DST-safe). */
export function addDays(dayStart: number, days: number, tz: string): number {
  const key = dayKey(dayStart + 12 * 3_600_000, tz);
  const d = new Date(`${key}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return dayStartOf(d.toISOString().slice(0, 10), tz);
}

/**
 * Parse a `since`/`until` value: epoch ms (digits), an ISO date-time (with or without offset; none
 * means UTC), or a bare date `YYYY-MM-DD` / `YYYYMMDD` meaning local midnight in `tz`. With
 * `endOfDay`, a bare date means the end of that day (for inclusive `until` dates).
 * Returns null when the value cannot be read.
 */
export function parseTimeBound(value: string, tz: string, endOfDay = false): number | null {
  const v = value.trim();
  if (/^\d{9,}$/.test(v)) return Number(v);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  const date = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
  if (date) {
    const check = Date.parse(`${date}T00:00:00Z`);
    if (Number.isNaN(check) || new Date(check).toISOString().slice(0, 10) !== date) return null;
    const start = dayStartOf(date, tz);
    return endOfDay ? addDays(start, 1, tz) : start;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v);
  const t = Date.parse(hasZone ? v : `${v}Z`);
  return Number.isNaN(t) ? null : t;
}
