/**
 * The range of event times the server stores: from 2000-01-01 (UTC) to one day after the server's
 * clock. A time outside it is a client bug or a unit mix-up, and stored it would sort and bucket
 * as nonsense (a year-9999 event was the newest forever and broke the by-day costs).
 */

export const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);
/** How far ahead of the server's clock an event may be (clock skew between machines). */
export const EVENT_AHEAD_MS = 86_400_000;

export const EVENT_TIME_RANGE = 'between 2000-01-01 and one day after the server time';

export function isPlausibleEventMs(t: number, now = Date.now()): boolean {
  return Number.isFinite(t) && t >= EARLIEST_EVENT_MS && t <= now + EVENT_AHEAD_MS;
}

/** A local date safely inside the range however offset: two days before `now` (kept a minute). */
let recent = { at: Number.NaN, day: '' };
function recentDay(now: number): string {
  if (!(now >= recent.at && now - recent.at < 60_000)) recent = { at: now, day: new Date(now - 2 * 86_400_000).toISOString().slice(0, 10) };
  return recent.day;
}

/**
 * Whether an ISO date-time (`YYYY-MM-DDT…`, as the contract accepts it) lies in the range. Most
 * are decided by their date alone, without parsing: importers check hundreds of thousands.
 */
export function isPlausibleTimestamp(iso: string, now = Date.now()): boolean {
  const day = iso.slice(0, 10);
  if (day > '2000-01-02' && day < recentDay(now)) return true;
  return isPlausibleEventMs(Date.parse(iso), now);
}
