/**
 * The dashboard's shared state: route, live stats, live sessions and the feed. SSE messages are
 * applied once per animation frame, whatever their rate.
 */
import { batch, signal } from '@preact/signals';
import type { Session, Stats } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import type { SseMessage } from '../../src/core/contracts/sse';
import { DASHBOARD_VIEWS, type DashboardInitialState, type DashboardView } from '../../src/core/contracts/webview';
import { AnswerCache } from './answerCache';
import type { DataSource } from './dataSource';
import { compareEvents, FeedBuffer, FrameBatcher } from './feedBuffer';
import { isEmptyFilter, matchesFilter, type FeedFilter } from './eventFilter';
import { notifyWaiting, startsWaiting } from '../lib/waitingNotifications';
import { parsePeriod, periodQuery, type Period } from '../lib/period';
import { parseSessionQuery, sessionQueryString, type SessionListQuery } from '../lib/sessionQuery';

export interface Route {
  view: DashboardView;
  sessionId: string | null;
  /** On a session's page, the stored event to show (a search hit): `#/sessions/<id>?event=<n>`. */
  eventId?: number | null;
  /** In Costs and Tools, the period shown when not the view's default: `#/costs?period=all`. */
  period?: Period | null;
  /** The Sessions list's filters, search and order when not the defaults: `#/sessions?status=active`. */
  list?: SessionListQuery | null;
}

/** Views whose period is kept in the location hash. */
const PERIOD_VIEWS: readonly DashboardView[] = ['costs', 'tools'];

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const parts = (q >= 0 ? raw.slice(0, q) : raw).split('/');
  const view = (DASHBOARD_VIEWS as readonly string[]).includes(parts[0]) ? (parts[0] as DashboardView) : 'overview';
  const sessionId = view === 'sessions' && parts[1] ? decodeURIComponent(parts.slice(1).join('/')) : null;
  const event = sessionId && q >= 0 ? /(?:^|&)event=(\d{1,15})(?:&|$)/.exec(raw.slice(q + 1)) : null;
  const period = PERIOD_VIEWS.includes(view) && q >= 0 ? parsePeriod(new URLSearchParams(raw.slice(q + 1))) : null;
  if (period) return { view, sessionId, period };
  if (view === 'sessions' && !sessionId && q >= 0) {
    const list = parseSessionQuery(new URLSearchParams(raw.slice(q + 1)));
    if (Object.keys(list).length) return { view, sessionId, list };
  }
  return event ? { view, sessionId, eventId: Number(event[1]) } : { view, sessionId };
}

export function routeHash(r: Route): string {
  if (r.period && PERIOD_VIEWS.includes(r.view)) return `#/${r.view}?${periodQuery(r.period)}`;
  const list = r.view === 'sessions' && !r.sessionId && r.list ? sessionQueryString(r.list) : '';
  if (list) return `#/sessions?${list}`;
  if (!r.sessionId) return `#/${r.view}`;
  const page = `#/sessions/${encodeURIComponent(r.sessionId)}`;
  return r.eventId != null ? `${page}?event=${r.eventId}` : page;
}

const FEED_PAGE = 200;
const MAX_PAUSED = 50_000;
const MAX_LIVE_SESSIONS = 500;

export class FeedModel {
  readonly buffer = new FeedBuffer(100_000);
  /** Bumped whenever rows change (at most once per frame). */
  readonly version = signal(0);
  readonly filter = signal<FeedFilter>({});
  readonly paused = signal(false);
  readonly pausedCount = signal(0);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  readonly hasMore = signal(false);
  /** Rows added at the top by the last flush (the list keeps its scroll position with it). */
  lastAddedTop = 0;
  private pausedQueue: StoredEvent[] = [];
  private pausedOverflow = false;
  private cursor: string | null = null;
  private generation = 0;

  constructor(private readonly ds: DataSource) {}

  apply(events: StoredEvent[]): void {
    if (this.paused.value) {
      this.pausedQueue.push(...events);
      if (this.pausedQueue.length > MAX_PAUSED) {
        this.pausedQueue.splice(0, this.pausedQueue.length - MAX_PAUSED);
        this.pausedOverflow = true;
      }
      this.pausedCount.value = this.pausedQueue.length;
      return;
    }
    const f = this.filter.value;
    const wanted = isEmptyFilter(f) ? events : events.filter((e) => matchesFilter(e, f));
    if (!wanted.length) return;
    this.lastAddedTop = this.buffer.pushNewest(wanted);
    this.version.value++;
  }

  setPaused(p: boolean): void {
    if (p === this.paused.value) return;
    this.paused.value = p;
    if (!p) {
      const queued = this.pausedQueue;
      const overflow = this.pausedOverflow;
      this.pausedQueue = [];
      this.pausedOverflow = false;
      this.pausedCount.value = 0;
      if (overflow) void this.reload();
      else this.apply(queued);
    }
  }

  setFilter(f: FeedFilter): void {
    this.filter.value = f;
    void this.reload();
  }

  async reload(): Promise<void> {
    const gen = ++this.generation;
    this.buffer.clear();
    this.cursor = null;
    this.hasMore.value = false;
    this.version.value++;
    await this.fetchPage(gen);
  }

  async loadMore(): Promise<void> {
    if (this.loading.value || !this.cursor) return;
    await this.fetchPage(this.generation);
  }

  private async fetchPage(gen: number): Promise<void> {
    this.loading.value = true;
    this.error.value = null;
    try {
      // By event time: the same question as the page's preloaded one (DASHBOARD_STARTUP_REQUESTS).
      const page = await this.ds.get('/api/events', { ...this.filter.value, limit: FEED_PAGE, order: 'created_at', cursor: this.cursor ?? undefined });
      if (gen !== this.generation) return;
      const rows = [...page.events].sort((a, b) => compareEvents(b, a));
      this.lastAddedTop = 0;
      this.buffer.appendOlder(rows);
      this.cursor = page.next_cursor;
      this.hasMore.value = !!page.next_cursor;
      this.version.value++;
    } catch (e) {
      if (gen === this.generation) this.error.value = (e as Error).message;
    } finally {
      if (gen === this.generation) this.loading.value = false;
    }
  }
}

export class AppState {
  readonly route = signal<Route>({ view: 'overview', sessionId: null });
  readonly stats = signal<Stats | null>(null);
  readonly statsError = signal<string | null>(null);
  /** Bumped when aggregate views should refetch (stats changed, resync). */
  readonly dataTick = signal(0);
  /** Recent API answers, reused while `dataTick` has not moved (`answerCache.ts`). */
  readonly answers = new AnswerCache();
  /** API questions of the views (`useApi`) asked and not answered yet. */
  asking = 0;
  readonly sessions = signal<ReadonlyMap<string, Session>>(new Map());
  readonly feed: FeedModel;
  private readonly batcher: FrameBatcher<SseMessage>;

  constructor(
    readonly ds: DataSource,
    readonly initial: DashboardInitialState,
    schedule: (cb: () => void) => void = (cb) => requestAnimationFrame(cb),
  ) {
    this.feed = new FeedModel(ds);
    this.batcher = new FrameBatcher((msgs) => this.applyMessages(msgs), schedule);
    ds.onMessage((m) => this.batcher.push(m));
    ds.onResync(() => void this.refresh());
  }

  async refresh(): Promise<void> {
    this.answers.clear();
    await Promise.all([this.loadStats(), this.loadSessions(), this.feed.reload()]);
    this.dataTick.value++;
  }

  async loadStats(): Promise<void> {
    try {
      this.stats.value = await this.ds.get('/api/stats', { tz: localTimeZone() });
      this.statsError.value = null;
    } catch (e) {
      this.statsError.value = (e as Error).message;
    }
  }

  async loadSessions(): Promise<void> {
    try {
      // The recent sessions, and every session waiting for the user (however many are more recent).
      const [page, waiting] = await Promise.all([
        this.ds.get('/api/sessions', { status: 'active,idle', limit: 50 }),
        this.ds.get('/api/attention', {}).catch(() => null),
      ]);
      const m = new Map<string, Session>();
      for (const s of page.sessions) m.set(s.session_id, s);
      for (const s of waiting?.sessions ?? []) m.set(s.session_id, s);
      this.sessions.value = m;
    } catch {
      /* the overview shows stats errors; sessions retry on the next resync */
    }
  }

  private applyMessages(msgs: SseMessage[]): void {
    const events: StoredEvent[] = [];
    let sessions: Map<string, Session> | null = null;
    let stats: Stats | null = null;
    let cleared = false;
    for (const m of msgs) {
      switch (m.type) {
        case 'event':
          events.push(m.event);
          break;
        case 'session_update':
          sessions ??= new Map(this.sessions.value);
          if (this.initial.host === 'browser' && startsWaiting(sessions.get(m.session.session_id), m.session)) {
            notifyWaiting(m.session, routeHash({ view: 'sessions', sessionId: m.session.session_id }));
          }
          sessions.set(m.session.session_id, m.session);
          break;
        case 'stats':
          stats = m.stats;
          break;
        case 'data_cleared':
          cleared = true;
          break;
        case 'hello':
        case 'import_progress':
          break;
        case 'import_done':
          this.dataTick.value++;
          break;
        default: {
          const never: never = m;
          void never;
        }
      }
    }
    // Anything written makes the kept answers stale, before the throttled stats message says so.
    if (events.length || sessions || stats || cleared || msgs.some((m) => m.type === 'import_done')) this.answers.clear();
    batch(() => {
      if (events.length) this.feed.apply(events);
      if (sessions) {
        if (sessions.size > MAX_LIVE_SESSIONS) {
          const keep = [...sessions.values()].sort((a, b) => b.last_event_at.localeCompare(a.last_event_at)).slice(0, MAX_LIVE_SESSIONS);
          sessions = new Map(keep.map((s) => [s.session_id, s]));
        }
        this.sessions.value = sessions;
      }
      if (stats) {
        this.stats.value = stats;
        this.dataTick.value++;
      }
    });
    if (cleared) void this.refresh();
  }
}

let timeZone: string | undefined;

/**
 * The browser's IANA zone, looked up once (each lookup builds an Intl.DateTimeFormat: ~7 ms of a
 * Costs view render). The page's inline preloader finds it the same way (routes/dashboard.ts).
 */
export function localTimeZone(): string {
  if (timeZone === undefined) {
    try {
      timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch {
      timeZone = 'UTC';
    }
  }
  return timeZone;
}
