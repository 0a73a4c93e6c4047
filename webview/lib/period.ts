/** Period choices shared by the aggregate views (Costs, Tools). */
export const PERIODS = [
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
  { id: 'all', label: 'All time', days: null },
  { id: 'custom', label: 'Custom', days: null },
] as const;
export type PeriodId = (typeof PERIODS)[number]['id'];

/** A chosen period; a custom one has its first and last day (`YYYY-MM-DD`, local, both included). */
export interface Period {
  id: PeriodId;
  from?: string;
  to?: string;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The period of `days` days (a view's default, from `VIEW_DEFAULT_REQUESTS`). */
export function periodOfDays(days: number): PeriodId {
  const p = PERIODS.find((x) => x.days === days);
  if (!p) throw new Error(`no ${days}-day period`);
  return p.id;
}

/** `YYYY-MM-DD` of a local date. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight `days - 1` days before today, as ISO: the period includes today. */
export function periodSince(id: PeriodId, now = new Date()): string {
  const days = PERIODS.find((p) => p.id === id)?.days ?? 1;
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return d.toISOString();
}

/** A custom period's days, or a first guess for them: the last 30 days. */
export function customDays(p: Period, now = new Date()): { from: string; to: string } {
  if (p.from && p.to) return { from: p.from, to: p.to };
  return { from: localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29)), to: localDay(now) };
}

/**
 * The API's `since`/`until` of a period (with the view's `tz`): a preset from local midnight of its
 * first day, all time unbounded, a custom range by its days (the server includes the `until` day).
 */
export function periodRange(p: Period, now = new Date()): { since?: string; until?: string } {
  if (p.id === 'all') return {};
  if (p.id === 'custom') {
    const { from, to } = customDays(p, now);
    return { since: from, until: to };
  }
  return { since: periodSince(p.id, now) };
}

/** The period a location hash's query names (`period=all`, `period=custom&from=…&to=…`), or null. */
export function parsePeriod(q: URLSearchParams): Period | null {
  const id = q.get('period');
  if (!PERIODS.some((p) => p.id === id)) return null;
  if (id !== 'custom') return { id: id as PeriodId };
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  return DAY_RE.test(from) && DAY_RE.test(to) && from <= to ? { id, from, to } : { id };
}

/** The location hash's query of a period (inverse of `parsePeriod`). */
export function periodQuery(p: Period): string {
  const q = new URLSearchParams({ period: p.id });
  if (p.id === 'custom' && p.from && p.to) {
    q.set('from', p.from);
    q.set('to', p.to);
  }
  return q.toString();
}

/** A period in a file name: `30d`, `all`, `2026-01-01_2026-01-31`. */
export function periodName(p: Period): string {
  if (p.id !== 'custom') return p.id;
  const { from, to } = customDays(p);
  return `${from}_${to}`;
}

/** `YYYY-MM-DD` → epoch seconds of its local midnight (chart x values). */
export function dayToEpochS(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, (m ?? 1) - 1, d ?? 1).getTime() / 1000;
}
