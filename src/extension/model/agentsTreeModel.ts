/**
 * The agents tree as plain data: agent types → sessions (waiting for the user first, longest
 * waiting first; then active, then most recent) → their latest activity. Pure (no `vscode`): the
 * tree data provider maps `NodeView`s onto TreeItems.
 */
import type { AgentSummary, Session, SessionState, SessionStatus } from '../../core/contracts/api';
import { agentDisplay } from '../../core/contracts/agents';
import { contextPercent as contextPercentOf } from '../../core/contracts/contextWindow';
import type { StoredEvent } from '../../core/contracts/events';
import { agentLabel, escapeMarkdown, formatAgo, formatDuration, formatTokens, formatUsd, projectName, shortId } from './format';
import { isWaiting, waitingLabel, waitingSessions } from './waiting';

export type TreeNode =
  | { kind: 'agent'; agentType: string }
  | { kind: 'session'; sessionId: string }
  | { kind: 'activity'; sessionId: string; eventId: number }
  | { kind: 'more'; sessionId: string };

export interface IconView {
  /** Codicon id, e.g. `pulse` or `loading~spin`. */
  id: string;
  /** Theme colour id, e.g. `charts.green`. */
  color?: string;
}

export interface NodeView {
  id: string;
  label: string;
  description?: string;
  /** Markdown with user data escaped. */
  tooltip?: string;
  icon: IconView;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** `contextValue` for menus: `agent`, `session`, `session-transcript`, `activity`. */
  contextValue: string;
}

export interface TreeModelLimits {
  /** Sessions shown under one agent type. */
  sessionsPerAgent: number;
  /** Activity entries kept and shown per session. */
  activityPerSession: number;
  /** Sessions kept in memory overall. */
  maxSessions: number;
  /** Sessions whose recent activity is kept in memory. */
  maxActivitySessions: number;
}

export const DEFAULT_TREE_LIMITS: TreeModelLimits = {
  sessionsPerAgent: 50,
  activityPerSession: 15,
  maxSessions: 2000,
  maxActivitySessions: 200,
};

const STATUS_RANK: Record<SessionStatus, number> = { active: 0, idle: 1, ended: 2 };

/** The server's idle/end thresholds (`agentMonitor.idleMinutes` / `endMinutes`), in ms. */
export interface StatusThresholds {
  idleMs: number;
  endMs: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = { idleMs: 5 * 60_000, endMs: 120 * 60_000 };

/**
 * A session's status at `now`: the server's status ages with time (active → idle → ended) by the
 * rule the server applies (`status` in `queries/sessions.ts`: quiet for more than the threshold),
 * never backwards: only a new event (a new `session_update`) makes a session active again.
 */
export function statusAt(s: Session, now: number, t: StatusThresholds): SessionStatus {
  if (s.status === 'ended' || s.ended_at) return 'ended';
  const quiet = now - Date.parse(s.last_event_at);
  if (quiet > t.endMs) return 'ended';
  if (quiet > t.idleMs) return 'idle';
  return s.status;
}

/**
 * A session's state at `now`, aged as the server ages it (`queries/sessions.ts`): ended with its
 * status; a wait or an error lasts until then; otherwise idle with its status. Undefined from a
 * server that reports no state.
 */
export function stateAt(s: Session, now: number, t: StatusThresholds): SessionState | undefined {
  if (s.state === undefined) return undefined;
  const status = statusAt(s, now, t);
  if (status === 'ended') return 'ended';
  if (isWaiting(s) || s.state === 'error') return s.state;
  return status === 'idle' ? 'idle' : s.state;
}

/** When `statusAt` of the session next changes (the first ms past a threshold), or null. */
export function nextStatusChange(s: Session, t: StatusThresholds): number | null {
  if (s.status === 'ended' || s.ended_at) return null;
  const last = Date.parse(s.last_event_at);
  if (!Number.isFinite(last)) return null;
  return (s.status === 'active' ? last + Math.min(t.idleMs, t.endMs) : last + t.endMs) + 1;
}

export function compareSessions(a: Session, b: Session): number {
  const wa = isWaiting(a);
  const wb = isWaiting(b);
  if (wa !== wb) return wa ? -1 : 1;
  if (wa) return (a.waiting_since ?? '').localeCompare(b.waiting_since ?? '') || a.session_id.localeCompare(b.session_id);
  const r = (STATUS_RANK[a.status] ?? 3) - (STATUS_RANK[b.status] ?? 3);
  if (r !== 0) return r;
  return Date.parse(b.last_event_at) - Date.parse(a.last_event_at) || a.session_id.localeCompare(b.session_id);
}

export class AgentsTreeModel {
  private sessions = new Map<string, Session>();
  private activity = new Map<string, StoredEvent[]>();
  private agentSummaries = new Map<string, AgentSummary>();

  private limits: TreeModelLimits;
  private thresholds: StatusThresholds = DEFAULT_THRESHOLDS;

  constructor(limits: TreeModelLimits = DEFAULT_TREE_LIMITS) {
    this.limits = { ...limits };
  }

  /** The idle/end thresholds the server uses; sessions age by them between server updates. */
  setThresholds(t: StatusThresholds): void {
    this.thresholds = { ...t };
  }

  get statusThresholds(): StatusThresholds {
    return this.thresholds;
  }

  /**
   * Ages every session to its status at `now` (no server roundtrip); returns the ids of those
   * that changed. Called when `nextStatusChangeAt()` comes due.
   */
  reevaluate(now: number): string[] {
    const changed: string[] = [];
    for (const [id, s] of this.sessions) {
      const status = statusAt(s, now, this.thresholds);
      const state = stateAt(s, now, this.thresholds);
      if (status === s.status && state === s.state) continue;
      this.sessions.set(id, state === 'ended' ? { ...s, status, state, waiting_since: null, waiting_message: null } : { ...s, status, state: state! });
      changed.push(id);
    }
    return changed;
  }

  /** The earliest time at which some session's status changes by time alone, or null. */
  nextStatusChangeAt(): number | null {
    let next: number | null = null;
    for (const s of this.sessions.values()) {
      const t = nextStatusChange(s, this.thresholds);
      if (t !== null && (next === null || t < next)) next = t;
    }
    return next;
  }

  /** Every session known (for counts derived locally). */
  allSessions(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Sessions whose agent waits for the user, longest waiting first. */
  waiting(): Session[] {
    return waitingSessions(this.sessions.values());
  }

  /** Sessions shown per agent type (the `agentMonitor.sessionsPerAgent` setting). */
  setSessionsPerAgent(n: number): void {
    this.limits = { ...this.limits, sessionsPerAgent: Math.max(1, Math.floor(n)) };
  }

  get isEmpty(): boolean {
    return this.sessions.size === 0;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  getSession(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Replaces everything known about sessions (a full snapshot from `GET /api/sessions`). */
  setSessions(list: readonly Session[]): void {
    this.sessions = new Map(list.map((s) => [s.session_id, s]));
    for (const id of [...this.activity.keys()]) if (!this.sessions.has(id)) this.activity.delete(id);
    this.prune();
  }

  upsertSession(s: Session): void {
    this.sessions.delete(s.session_id);
    this.sessions.set(s.session_id, s);
    this.prune();
  }

  setAgentSummaries(list: readonly AgentSummary[]): void {
    this.agentSummaries = new Map(list.map((a) => [a.agent_type, a]));
  }

  /** Whether the activity of a session is known (else the provider fetches it on expand). */
  hasActivity(sessionId: string): boolean {
    return this.activity.has(sessionId);
  }

  setActivity(sessionId: string, events: readonly StoredEvent[]): void {
    const sorted = [...events].sort((a, b) => b.id - a.id).slice(0, this.limits.activityPerSession);
    this.activity.delete(sessionId);
    this.activity.set(sessionId, sorted);
    this.pruneActivity();
  }

  /** Adds a live event to a session whose activity is known; returns whether anything changed. */
  addEvent(e: StoredEvent): boolean {
    const list = this.activity.get(e.session_id);
    if (!list) return false;
    const i = list.findIndex((x) => x.id === e.id || (e.event_id !== null && x.event_id === e.event_id));
    if (i >= 0) list.splice(i, 1);
    list.unshift(e);
    list.sort((a, b) => b.id - a.id);
    if (list.length > this.limits.activityPerSession) list.length = this.limits.activityPerSession;
    return true;
  }

  clear(): void {
    this.sessions.clear();
    this.activity.clear();
    this.agentSummaries.clear();
  }

  roots(): TreeNode[] {
    const types = new Map<string, number>();
    const waiting = new Set<string>();
    for (const s of this.sessions.values()) {
      const t = Date.parse(s.last_event_at) || 0;
      types.set(s.agent_type, Math.max(types.get(s.agent_type) ?? 0, t));
      if (isWaiting(s)) waiting.add(s.agent_type);
    }
    // Agents with a session waiting for the user first.
    return [...types.entries()]
      .sort((a, b) => Number(waiting.has(b[0])) - Number(waiting.has(a[0])) || b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([agentType]) => ({ kind: 'agent', agentType }));
  }

  sessionsOf(agentType: string): Session[] {
    return [...this.sessions.values()].filter((s) => s.agent_type === agentType).sort(compareSessions);
  }

  children(node: TreeNode): TreeNode[] {
    switch (node.kind) {
      case 'agent':
        return this.sessionsOf(node.agentType)
          .slice(0, this.limits.sessionsPerAgent)
          .map((s) => ({ kind: 'session', sessionId: s.session_id }));
      case 'session': {
        const events = this.activity.get(node.sessionId) ?? [];
        const nodes: TreeNode[] = events.map((e) => ({ kind: 'activity', sessionId: node.sessionId, eventId: e.id }));
        if (events.length >= this.limits.activityPerSession) nodes.push({ kind: 'more', sessionId: node.sessionId });
        return nodes;
      }
      case 'activity':
      case 'more':
        return [];
      default:
        return assertNever(node);
    }
  }

  view(node: TreeNode, now: number): NodeView | undefined {
    switch (node.kind) {
      case 'agent':
        return this.agentView(node.agentType);
      case 'session': {
        const s = this.sessions.get(node.sessionId);
        return s && sessionView(s, now);
      }
      case 'activity': {
        const e = this.activity.get(node.sessionId)?.find((x) => x.id === node.eventId);
        return e && activityView(e, now);
      }
      case 'more':
        return {
          id: `more:${node.sessionId}`,
          label: 'Open in Dashboard for the full transcript…',
          icon: { id: 'ellipsis' },
          collapsible: 'none',
          contextValue: 'more',
        };
      default:
        return assertNever(node);
    }
  }

  private agentView(agentType: string): NodeView {
    const list = this.sessionsOf(agentType);
    const active = list.filter((s) => s.status === 'active').length;
    const waiting = list.filter(isWaiting).length;
    const summary = this.agentSummaries.get(agentType);
    const parts = [active ? `${active} active` : `${list.length} session${list.length === 1 ? '' : 's'}`];
    if (waiting) parts.unshift(`${waiting} waiting`);
    if (summary) parts.push(`${formatUsd(summary.today_cost_usd)} today`);
    const tooltip = [
      `**${escapeMarkdown(agentLabel(agentType))}**`,
      '',
      `Sessions: ${summary?.sessions ?? list.length} (${active} active)`,
      ...(summary ? [`Today: ${formatUsd(summary.today_cost_usd)}`, `All time: ${formatUsd(summary.total_cost_usd)}`] : []),
    ].join('  \n');
    return {
      id: `agent:${agentType}`,
      label: agentLabel(agentType),
      description: parts.join(' · '),
      tooltip,
      icon: agentIcon(agentType, active > 0),
      collapsible: 'expanded',
      contextValue: 'agent',
    };
  }

  private prune(): void {
    if (this.sessions.size <= this.limits.maxSessions) return;
    const victims = [...this.sessions.values()].sort(compareSessions).slice(this.limits.maxSessions);
    for (const s of victims) {
      this.sessions.delete(s.session_id);
      this.activity.delete(s.session_id);
    }
  }

  private pruneActivity(): void {
    while (this.activity.size > this.limits.maxActivitySessions) {
      const oldest = this.activity.keys().next().value as string;
      this.activity.delete(oldest);
    }
  }
}

function agentIcon(agentType: string, active: boolean): IconView {
  const id = agentDisplay(agentType).icon;
  return active ? { id, color: 'charts.green' } : { id };
}

export function sessionLabel(s: Session): string {
  const name = projectName(s.project);
  return name ? name : `session ${shortId(s.session_id)}`;
}

/** How full the session's context is, in percent of the model's window; null when either is unknown. */
export function contextPercent(s: Session): number | null {
  return contextPercentOf(s.context_tokens, s.context_window);
}

/** `45% of 200k (90k tokens)`, or the token count when the window is unknown. */
export function contextText(s: Session): string | null {
  if (!s.context_tokens) return null;
  const pct = contextPercent(s);
  return pct === null ? `${formatTokens(s.context_tokens)} tokens` : `${pct}% of ${formatTokens(s.context_window)} (${formatTokens(s.context_tokens)} tokens)`;
}

export function sessionDescription(s: Session, now: number): string {
  const ago = formatAgo(s.last_event_at, now);
  const pct = s.status !== 'ended' ? contextPercent(s) : null;
  const ctx = pct === null ? '' : ` · ctx ${pct}%`;
  const text = (ago ? `${formatUsd(s.cost_usd)} · ${ago}` : formatUsd(s.cost_usd)) + ctx;
  return isWaiting(s) ? `${waitingLabel(s.state)} · ${text}` : text;
}

export function sessionIcon(s: Session): IconView {
  if (isWaiting(s)) return { id: s.state === 'waiting_permission' ? 'shield' : 'bell-dot', color: 'charts.orange' };
  if (s.state === 'error' && s.status !== 'ended') return { id: 'error', color: 'errorForeground' };
  if (s.status === 'active') {
    if (s.last_tool_status === 'running') return { id: 'loading~spin', color: 'charts.green' };
    return { id: 'pulse', color: 'charts.green' };
  }
  if (s.status === 'idle') return { id: 'debug-pause', color: 'charts.yellow' };
  return { id: 'circle-outline' };
}

export function sessionTooltip(s: Session, now: number): string {
  const rows: [string, string | null][] = [
    ['Project', s.project],
    ['Branch', s.branch],
    ['Model', s.model],
    ['Status', s.status],
    ['Waiting', isWaiting(s) ? `${waitingLabel(s.state)} since ${formatAgo(s.waiting_since, now) || 'now'}${s.waiting_message ? ` — ${s.waiting_message}` : ''}` : null],
    ['Cost', formatUsd(s.cost_usd) + (s.unpriced_tokens ? ` (+${formatTokens(s.unpriced_tokens)} unpriced tokens)` : '')],
    [
      'Tokens',
      `${formatTokens(s.tokens_in)} in · ${formatTokens(s.tokens_out)} out · ${formatTokens(s.cache_read_tokens)} cache read · ${formatTokens(s.cache_write_tokens)} cache write`,
    ],
    ['Events', String(s.event_count)],
    ['Context', contextText(s)],
    ['Started', `${s.started_at} (${formatAgo(s.started_at, now)})`],
    ['Last activity', formatAgo(s.last_event_at, now)],
    ['Last tool', s.last_tool ? `${s.last_tool}${s.last_tool_status ? ` (${s.last_tool_status})` : ''}` : null],
    ['Session', s.session_id],
  ];
  const head = `**${escapeMarkdown(agentLabel(s.agent_type))} — ${escapeMarkdown(sessionLabel(s))}**`;
  return [head, '', ...rows.filter(([, v]) => v).map(([k, v]) => `${k}: ${escapeMarkdown(v!)}`)].join('  \n');
}

function sessionView(s: Session, now: number): NodeView {
  return {
    id: `session:${s.session_id}`,
    label: sessionLabel(s),
    description: sessionDescription(s, now),
    tooltip: sessionTooltip(s, now),
    icon: sessionIcon(s),
    collapsible: s.status === 'active' ? 'expanded' : 'collapsed',
    contextValue: s.transcript_path ? 'session-transcript' : 'session',
  };
}

const EVENT_ICONS: Partial<Record<string, string>> = {
  session_start: 'debug-start',
  session_end: 'debug-stop',
  user_prompt: 'comment',
  response: 'comment-discussion',
  llm_request: 'sparkle',
  error: 'error',
  notification: 'bell',
  subagent_start: 'type-hierarchy-sub',
  subagent_stop: 'type-hierarchy-sub',
  compaction: 'fold',
  file_change: 'diff',
  permission_request: 'shield',
  permission_denied: 'circle-slash',
  stop: 'debug-pause',
  rate_limit: 'watch',
};

export function activityLabel(e: StoredEvent): string {
  if (e.event_type === 'tool_use' && e.tool_name) return e.tool_name;
  if (e.event_type === 'llm_request' && e.model) return e.model;
  return e.event_type.replace(/_/g, ' ');
}

export function activityIcon(e: StoredEvent): IconView {
  if (e.status === 'running') return { id: 'loading~spin' };
  if (e.status === 'error' || e.status === 'timeout' || e.event_type === 'error') return { id: 'error', color: 'errorForeground' };
  if (e.event_type === 'tool_use') return { id: 'tools' };
  return { id: EVENT_ICONS[e.event_type] ?? 'circle-small' };
}

function activityView(e: StoredEvent, now: number): NodeView {
  const parts: string[] = [];
  if (e.status && e.status !== 'success') parts.push(e.status);
  if (e.duration_ms !== null) parts.push(formatDuration(e.duration_ms));
  if (e.cost_usd) parts.push(formatUsd(e.cost_usd));
  parts.push(formatAgo(e.created_at, now));
  const tokens = e.tokens_in + e.tokens_out + e.cache_read_tokens + e.cache_write_tokens;
  const tooltip = [
    `**${escapeMarkdown(activityLabel(e))}** (${escapeMarkdown(e.event_type)})`,
    '',
    `At: ${escapeMarkdown(e.created_at)}`,
    ...(e.status ? [`Status: ${escapeMarkdown(e.status)}`] : []),
    ...(e.duration_ms !== null ? [`Duration: ${formatDuration(e.duration_ms)}`] : []),
    ...(e.model ? [`Model: ${escapeMarkdown(e.model)}`] : []),
    ...(tokens ? [`Tokens: ${formatTokens(e.tokens_in)} in · ${formatTokens(e.tokens_out)} out · ${formatTokens(e.cache_read_tokens)} cache read`] : []),
    ...(e.cost_usd !== null ? [`Cost: ${formatUsd(e.cost_usd)} (${e.cost_source})`] : []),
    `Source: ${e.source}`,
  ].join('  \n');
  return {
    id: `event:${e.id}`,
    label: activityLabel(e),
    description: parts.filter(Boolean).join(' · '),
    tooltip,
    icon: activityIcon(e),
    collapsible: 'none',
    contextValue: 'activity',
  };
}

function assertNever(x: never): never {
  throw new Error(`unexpected tree node ${JSON.stringify(x)}`);
}
