/**
 * The extension host's one link to the server: follows the supervisor's state, keeps one SSE
 * subscription, loads snapshots, and feeds the tree model and the ticker data. Bursts of SSE
 * messages are coalesced into one change batch. On an SSE disconnect a follower asks the
 * supervisor to re-check the port, which takes it over when the owner went away. No `vscode`.
 */
import type { CostRow, RateLimitInfo, Session, Stats } from '../../core/contracts/api';
import type { SseMessage } from '../../core/contracts/sse';
import { Disposable, Emitter, toDisposable } from '../lifecycle';
import { AgentsTreeModel, DEFAULT_THRESHOLDS, DEFAULT_TREE_LIMITS, type StatusThresholds } from '../model/agentsTreeModel';
import { StatusClock } from '../model/statusClock';
import { dayKey, statsAsOf } from '../model/statusText';
import { startsWaiting } from '../model/waiting';
import { UpdateCoalescer, realTimers, type ChangeBatch, type Timers } from '../model/updateCoalescer';
import type { LogLevel } from '../server/supervisor';
import { isConnected, type ServerState } from '../server/serverState';
import { ApiClient } from './apiClient';
import { connectSse, type SseConnection } from './sseClient';

export type ConnectionStatus = { state: 'connected' | 'connecting' | 'disconnected'; url?: string; message?: string };

/** What LiveConnection needs from the supervisor. */
export interface ServerSource {
  readonly state: ServerState;
  readonly onDidChangeState: (listener: (s: ServerState) => void) => { dispose(): unknown };
  ensure(): Promise<ServerState>;
}

export interface LiveConnectionOptions {
  token?: () => string | undefined;
  log: (level: LogLevel, line: string) => void;
  sessionsLimit?: number;
  sessionsPerAgent?: number;
  coalesceMs?: number;
  /** Minimum time between refreshes of the by-model cost breakdown. */
  modelRefreshMs?: number;
  /** The server's idle/end thresholds (from the settings it was started with). */
  thresholds?: () => StatusThresholds;
  /** Clock and timers of the status re-evaluation (tests inject fakes). */
  now?: () => number;
  timers?: Timers;
}

const MAX_RETRY_MS = 5000;

export class LiveConnection extends Disposable {
  readonly model: AgentsTreeModel;
  /** The server's last stats, with sessions that went idle since counted out (`statsAsOf`). */
  stats: Stats | null = null;
  private serverStats: Stats | null = null;
  private readonly statusClock: StatusClock;
  byModel: CostRow[] | null = null;
  /** Plan rate-limit readings, as the server last listed them (stale ones included: see `freshRateLimits`). */
  rateLimits: RateLimitInfo[] = [];
  private statusValue: ConnectionStatus = { state: 'disconnected' };

  private readonly changeEmitter = this._register(new Emitter<ChangeBatch>());
  /** Coalesced changes of the model, stats or status. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly messageEmitter = this._register(new Emitter<SseMessage>());
  /** Every SSE message, unchanged (the dashboard panel forwards them). */
  readonly onMessage = this.messageEmitter.event;
  private readonly statusEmitter = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly waitingEmitter = this._register(new Emitter<Session>());
  /** A session's agent started waiting for the user (a live update; not sessions already waiting at load). */
  readonly onDidStartWaiting = this.waitingEmitter.event;

  private api: ApiClient | null = null;
  private sse: SseConnection | null = null;
  private sseUrl: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = 250;
  private modelTimer: NodeJS.Timeout | null = null;
  private lastModelRefresh = 0;
  private readonly coalescer: UpdateCoalescer;
  private generation = 0;

  constructor(
    private readonly server: ServerSource,
    private readonly opts: LiveConnectionOptions,
  ) {
    super();
    this.model = new AgentsTreeModel({ ...DEFAULT_TREE_LIMITS, sessionsPerAgent: opts.sessionsPerAgent ?? DEFAULT_TREE_LIMITS.sessionsPerAgent });
    this.model.setThresholds(opts.thresholds?.() ?? DEFAULT_THRESHOLDS);
    this.coalescer = new UpdateCoalescer((b) => this.changeEmitter.fire(b), opts.coalesceMs ?? 150);
    this._register(toDisposable(() => this.coalescer.dispose()));
    // Statuses age with time: at each idle/end crossing the tree and the counts follow, locally.
    this.statusClock = new StatusClock(
      this.model,
      (ids) => {
        for (const id of ids) this.coalescer.session(id);
        this.ageStats();
      },
      opts.timers ?? realTimers,
      opts.now ?? Date.now,
    );
    this._register(this.statusClock);
    this._register(this.server.onDidChangeState((s) => this.onServerState(s)));
    this._register(
      toDisposable(() => {
        this.closeSse();
        if (this.retryTimer) clearTimeout(this.retryTimer);
        if (this.modelTimer) clearTimeout(this.modelTimer);
      }),
    );
    this.onServerState(this.server.state);
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** The API of the server currently connected to, if any. */
  get client(): ApiClient | null {
    return this.api;
  }

  get hasData(): boolean {
    return !this.model.isEmpty || (this.stats?.total.events ?? 0) > 0;
  }

  /** Loads sessions, stats and today's cost by model; fires a full change. */
  async refresh(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const gen = this.generation;
    const [sessions, stats, byModel, limits] = await Promise.allSettled([
      api.sessions(this.opts.sessionsLimit ?? 500),
      api.stats(),
      api.costToday('model', dayKey(Date.now())),
      api.rateLimits(),
    ]);
    if (gen !== this.generation || this.isDisposed) return;
    if (sessions.status === 'fulfilled') {
      this.model.setSessions(sessions.value.sessions);
      this.statusClock.schedule();
    } else this.opts.log('warn', `loading sessions failed: ${(sessions.reason as Error).message}`);
    if (stats.status === 'fulfilled') this.setStats(stats.value);
    else this.opts.log('warn', `loading stats failed: ${(stats.reason as Error).message}`);
    if (byModel.status === 'fulfilled') this.byModel = byModel.value.rows;
    if (limits.status === 'fulfilled') this.rateLimits = limits.value;
    this.lastModelRefresh = Date.now();
    this.coalescer.full();
  }

  /** Loads the latest activity of a session for the tree (on expand). */
  async loadActivity(sessionId: string): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const page = await api.events({ session_id: sessionId, limit: 15 });
      this.model.setActivity(sessionId, page.events);
    } catch (err) {
      this.opts.log('warn', `loading activity of session ${sessionId} failed: ${(err as Error).message}`);
      this.model.setActivity(sessionId, []);
    }
  }

  /** The thresholds changed (settings): re-age the sessions by the new ones. */
  setThresholds(t: StatusThresholds): void {
    this.model.setThresholds(t);
    this.statusClock.schedule();
  }

  /** When the next status re-evaluation is due, or null (tests). */
  get nextStatusCheckAt(): number | null {
    return this.statusClock.nextAt;
  }

  /** Delivers pending changes at once (tests, and before a snapshot is sent to the webview). */
  flush(): void {
    this.coalescer.flushNow();
  }

  private setStats(stats: Stats | null): void {
    this.serverStats = stats;
    this.ageStats();
  }

  private ageStats(): void {
    const s = this.serverStats;
    this.stats = s && statsAsOf(s, this.model.allSessions(), (this.opts.now ?? Date.now)(), this.model.statusThresholds);
    if (this.stats) this.model.setAgentSummaries(this.stats.agents);
    this.coalescer.stats();
  }

  private setStatus(s: ConnectionStatus): void {
    const changed = s.state !== this.statusValue.state || s.url !== this.statusValue.url || s.message !== this.statusValue.message;
    this.statusValue = s;
    if (changed) {
      this.statusEmitter.fire(s);
      this.coalescer.stats();
    }
  }

  private onServerState(s: ServerState): void {
    if (this.isDisposed) return;
    if (isConnected(s)) {
      if (this.sse && this.sseUrl === s.url) return;
      this.connect(s.url);
      return;
    }
    this.closeSse();
    const message =
      s.kind === 'foreign' || s.kind === 'failed' ? s.message : s.kind === 'crashed' ? `server restarting (attempt ${s.attempt})` : undefined;
    this.setStatus({ state: s.kind === 'starting' || s.kind === 'crashed' ? 'connecting' : 'disconnected', message });
  }

  private connect(url: string): void {
    this.closeSse();
    const gen = ++this.generation;
    const token = this.opts.token?.();
    this.api = new ApiClient(url, token);
    this.sseUrl = url;
    this.setStatus({ state: 'connecting', url });
    this.sse = connectSse(
      `${url}/api/stream`,
      {
        onOpen: () => {
          if (gen !== this.generation) return;
          this.retryDelay = 250;
          this.setStatus({ state: 'connected', url });
          void this.refresh();
        },
        onMessage: (msg) => {
          if (gen === this.generation) this.onSse(msg);
        },
        onClose: (err) => {
          if (gen !== this.generation || this.isDisposed) return;
          this.sse = null;
          this.opts.log(err ? 'warn' : 'info', `live connection to ${url} closed${err ? `: ${err.message}` : ''}`);
          this.setStatus({ state: 'connecting', url, message: 'reconnecting' });
          this.scheduleRetry();
        },
      },
      token,
    );
  }

  private closeSse(): void {
    this.generation++;
    this.sse?.close();
    this.sse = null;
    this.sseUrl = null;
  }

  private scheduleRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(MAX_RETRY_MS, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retry();
    }, delay);
  }

  private async retry(): Promise<void> {
    if (this.isDisposed || this.sse) return;
    let s = this.server.state;
    // A follower re-checks the port: if the owner went away, this window takes it over.
    if (s.kind === 'follower') s = await this.server.ensure();
    if (this.isDisposed || this.sse) return;
    if (isConnected(s)) this.connect(s.url);
  }

  private onSse(msg: SseMessage): void {
    switch (msg.type) {
      case 'session_update': {
        const starts = startsWaiting(this.model.getSession(msg.session.session_id), msg.session);
        this.model.upsertSession(msg.session);
        this.coalescer.session(msg.session.session_id);
        this.statusClock.schedule();
        if (starts) this.waitingEmitter.fire(msg.session);
        break;
      }
      case 'event':
        if (this.model.addEvent(msg.event)) this.coalescer.activity(msg.event.session_id);
        break;
      case 'stats':
        this.setStats(msg.stats);
        this.coalescer.stats();
        this.scheduleModelRefresh();
        break;
      case 'data_cleared':
        this.model.clear();
        this.setStats(null);
        this.statusClock.schedule();
        this.byModel = null;
        this.rateLimits = [];
        void this.refresh();
        break;
      case 'hello':
      case 'import_progress':
      case 'import_done':
        break;
      default: {
        const never: never = msg;
        void never;
      }
    }
    this.messageEmitter.fire(msg);
  }

  private scheduleModelRefresh(): void {
    if (this.modelTimer) return;
    const wait = Math.max(0, this.lastModelRefresh + (this.opts.modelRefreshMs ?? 5000) - Date.now());
    this.modelTimer = setTimeout(async () => {
      this.modelTimer = null;
      const api = this.api;
      if (!api) return;
      this.lastModelRefresh = Date.now();
      try {
        const [rows, limits] = await Promise.all([api.costToday('model', dayKey(Date.now())), api.rateLimits()]);
        this.byModel = rows.rows;
        this.rateLimits = limits;
        this.coalescer.stats();
      } catch (err) {
        this.opts.log('debug', `loading cost by model failed: ${(err as Error).message}`);
      }
    }, wait);
  }
}
