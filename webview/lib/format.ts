/** Number, money, token, duration and time formatting shared by every view. */

const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/**
 * The one cost formatter: `$1,234.57`; amounts under a dollar keep four decimals (`$0.0042`); null
 * is "—". Chart axes use `formatUsdTicks` (one number of decimals for the whole axis).
 */
export function formatUsd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '$0.00';
  return Math.abs(v) >= 1 ? usd2.format(v) : usd4.format(v);
}

/** Axis labels for money: every tick with the same decimals (2, or up to 4 for sub-cent steps). */
export function formatUsdTicks(ticks: number[]): string[] {
  let decimals = 2;
  while (decimals < 4 && !ticks.every((t) => Math.abs(t * 10 ** decimals - Math.round(t * 10 ** decimals)) < 1e-6)) decimals++;
  const f = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return ticks.map((t) => f.format(t));
}

/** Compact token count: `950`, `45.6k`, `1.23M`, `4.56B`. */
export function formatTokens(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a < 1000) return int.format(v);
  if (a < 1e6) return `${(v / 1e3).toFixed(a < 1e4 ? 2 : 1)}k`;
  if (a < 1e9) return `${(v / 1e6).toFixed(a < 1e7 ? 2 : 1)}M`;
  return `${(v / 1e9).toFixed(2)}B`;
}

export function formatInt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : int.format(v);
}

export function formatPercent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? '—' : pct.format(fraction);
}

/** `420 ms`, `3.2 s`, `4m 05s`, `2h 07m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m ${String(totalS % 60).padStart(2, '0')}s`;
  const totalM = Math.floor(totalS / 60);
  if (totalM < 48 * 60) return `${Math.floor(totalM / 60)}h ${String(totalM % 60).padStart(2, '0')}m`;
  return `${Math.floor(totalM / 1440)}d ${Math.floor((totalM % 1440) / 60)}h`;
}

// Times are 24-hour everywhere (tables, charts, transcripts), in the viewer's locale and zone.
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const clockFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateYearFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeYearFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeSecFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dateTimeSecYearFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

const yearOf = (ms: number) => new Date(ms).getFullYear();
const parse = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);

export function formatTime(iso: string | null | undefined): string {
  const t = parse(iso);
  return Number.isFinite(t) ? timeFmt.format(t) : '—';
}

/**
 * A feed row's time: `14:05:09` today; `Dec 3, 14:05` on another day of this year; `Dec 3, 2025`
 * in another year (the cell's title has it whole: `formatEntryTime(iso, true)`).
 */
export function formatFeedTime(iso: string | null | undefined, now = Date.now()): string {
  const t = parse(iso);
  if (!Number.isFinite(t)) return '—';
  if (new Date(t).toDateString() === new Date(now).toDateString()) return timeFmt.format(t);
  return (yearOf(t) === yearOf(now) ? dateTimeFmt : dateYearFmt).format(t);
}

/** `14:05` (24-hour). */
export function formatClock(ms: number): string {
  return clockFmt.format(ms);
}

/** `Dec 3`, with the year when it is not the year of `now` (`Dec 3, 2025`). */
export function formatDate(ms: number, now = Date.now()): string {
  return (yearOf(ms) === yearOf(now) ? dateFmt : dateYearFmt).format(ms);
}

/** `Dec 3, 14:05`, with the year when it is not the year of `now`. */
export function formatDateTime(iso: string | null | undefined, now = Date.now()): string {
  const t = parse(iso);
  if (!Number.isFinite(t)) return '—';
  return (yearOf(t) === yearOf(now) ? dateTimeFmt : dateTimeYearFmt).format(t);
}

/** Whether two instants fall on different local calendar days. */
export function spansDays(fromIso: string | null | undefined, toIso: string | null | undefined): boolean {
  const a = parse(fromIso);
  const b = parse(toIso);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return new Date(a).toDateString() !== new Date(b).toDateString();
}

/**
 * A transcript entry's time: `14:05:09` within a one-day session; with the date (`Dec 3, 14:05:09`)
 * when the session spans days (`spansDays(started_at, last_event_at)`), and the year when not this year.
 */
export function formatEntryTime(iso: string | null | undefined, multiDay: boolean, now = Date.now()): string {
  const t = parse(iso);
  if (!Number.isFinite(t)) return '—';
  if (!multiDay) return timeFmt.format(t);
  return (yearOf(t) === yearOf(now) ? dateTimeSecFmt : dateTimeSecYearFmt).format(t);
}

/** "3m ago", "2h ago", relative to `now`. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = now - Date.parse(iso);
  if (!Number.isFinite(d)) return '—';
  if (d < 10_000) return 'just now';
  if (d < 60_000) return `${Math.floor(d / 1000)}s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)}m ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)}h ago`;
  return `${Math.floor(d / 86_400_000)}d ago`;
}

export function totalTokens(t: { tokens_in: number; tokens_out: number; cache_read_tokens: number; cache_write_tokens: number }): number {
  return t.tokens_in + t.tokens_out + t.cache_read_tokens + t.cache_write_tokens;
}

/** Last path segment of a project folder. */
export function baseName(p: string | null): string {
  if (!p) return '—';
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}

export function shortId(id: string, n = 8): string {
  return id.length > n + 1 ? `${id.slice(0, n)}…` : id;
}
