/**
 * The overview's live activity pulse: events and cost per minute over the last hour. Loaded once
 * from `GET /api/stats/pulse`, then kept current from the SSE `event` messages (no refetch while
 * connected): an event counts once, by its id, so a running call's completion is not counted again.
 */
import type { Pulse, Session } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';

export const PULSE_MINUTES = 60;
const MINUTE_MS = 60_000;

export interface PulseView {
  /** Bucket starts, epoch seconds, oldest first; always `minutes` buckets ending with the current one. */
  x: number[];
  events: number[];
  cost: number[];
  totalEvents: number;
  totalCost: number;
  /** Busiest minute (null when nothing happened). */
  peak: { at: number; events: number } | null;
}

export class PulseSeries {
  private readonly buckets = new Map<number, { events: number; cost: number }>();
  /** Highest event id counted; -1 until the first load. */
  private lastId = -1;
  /** Events seen before the first load answered. */
  private early: StoredEvent[] = [];

  constructor(readonly minutes = PULSE_MINUTES) {}

  get loaded(): boolean {
    return this.lastId >= 0;
  }

  /** Replace everything with a server answer, then count what arrived meanwhile and is newer. */
  load(p: Pulse): void {
    this.buckets.clear();
    for (const b of p.buckets) this.buckets.set(Date.parse(b.at), { events: b.events, cost: b.cost_usd });
    this.lastId = p.last_event_id;
    const early = this.early;
    this.early = [];
    this.add(early);
  }

  /** Count new events; true when anything changed. */
  add(events: readonly StoredEvent[]): boolean {
    if (!this.loaded) {
      this.early.push(...events);
      return false;
    }
    let changed = false;
    for (const e of events) {
      if (e.id <= this.lastId) continue;
      this.lastId = e.id;
      const t = Date.parse(e.created_at);
      if (!Number.isFinite(t)) continue;
      const at = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      const b = this.buckets.get(at) ?? { events: 0, cost: 0 };
      b.events++;
      b.cost += e.cost_usd ?? 0;
      this.buckets.set(at, b);
      changed = true;
    }
    return changed;
  }

  /** Forget everything (data cleared); the next `load` starts again. */
  reset(): void {
    this.buckets.clear();
    this.lastId = -1;
    this.early = [];
  }

  /** The last `minutes` minutes ending with the one holding `now`; older buckets are dropped. */
  view(now = Date.now()): PulseView {
    const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const start = end - (this.minutes - 1) * MINUTE_MS;
    for (const k of this.buckets.keys()) if (k < start) this.buckets.delete(k);
    const x: number[] = [];
    const events: number[] = [];
    const cost: number[] = [];
    let totalEvents = 0;
    let totalCost = 0;
    let peak: PulseView['peak'] = null;
    for (let at = start; at <= end; at += MINUTE_MS) {
      const b = this.buckets.get(at);
      x.push(at / 1000);
      events.push(b?.events ?? 0);
      cost.push(b?.cost ?? 0);
      totalEvents += b?.events ?? 0;
      totalCost += b?.cost ?? 0;
      if (b && b.events > (peak?.events ?? 0)) peak = { at, events: b.events };
    }
    return { x, events, cost, totalEvents, totalCost, peak };
  }
}

/**
 * Sessions running now: active by the server's last word and heard from within the idle threshold
 * (the server does not announce a session turning idle, so a kept `active` goes stale), top-level
 * only, most recent first.
 */
export function runningSessions(sessions: Iterable<Session>, now: number, idleAfterMinutes: number, max = 24): Session[] {
  const cutoff = now - idleAfterMinutes * MINUTE_MS;
  return [...sessions]
    .filter((s) => s.status === 'active' && !s.parent_session_id && Date.parse(s.last_event_at) >= cutoff)
    .sort((a, b) => b.last_event_at.localeCompare(a.last_event_at))
    .slice(0, max);
}
