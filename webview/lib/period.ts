/** Period choices shared by the aggregate views. */
export const PERIODS = [
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
] as const;
export type PeriodId = (typeof PERIODS)[number]['id'];

/** The period of `days` days (a view's default, from `VIEW_DEFAULT_REQUESTS`). */
export function periodOfDays(days: number): PeriodId {
  const p = PERIODS.find((x) => x.days === days);
  if (!p) throw new Error(`no ${days}-day period`);
  return p.id;
}

/** Local midnight `days - 1` days before today, as ISO: the period includes today. */
export function periodSince(id: PeriodId, now = new Date()): string {
  const days = PERIODS.find((p) => p.id === id)!.days;
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return d.toISOString();
}

/** `YYYY-MM-DD` → epoch seconds of its local midnight (chart x values). */
export function dayToEpochS(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, (m ?? 1) - 1, d ?? 1).getTime() / 1000;
}
