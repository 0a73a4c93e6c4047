/** What the status-bar ticker shows, as plain data. Pure. */
import type { CostRow, RateLimitInfo, Session, Stats } from '../../core/contracts/api';
import type { ServerState } from '../server/serverState';
import type { StatusThresholds } from './agentsTreeModel';
import { agentLabel, escapeMarkdown, formatTokens, formatUsd, projectName, shortId } from './format';
import { isWaiting, waitingLabel } from './waiting';

export interface TickerView {
  text: string;
  /** Markdown. */
  tooltip: string;
  /** `warning` over budget, `error` when the server failed. */
  background: 'none' | 'warning' | 'error';
  /** True when today's cost is over the budget. */
  overBudget: boolean;
}

/** `$(pulse) $12.34 · 2 active`; over the daily budget `$(warning) over budget: $12.34 of $10.00 · 2 active` (text, not colour only). */
export function tickerText(todayCost: number, active: number, waiting = 0, budget: number | null = null): string {
  const cost = isOverBudget(todayCost, budget) ? `$(warning) over budget: ${formatUsd(todayCost)} of ${formatUsd(budget)}` : `$(pulse) ${formatUsd(todayCost)}`;
  const text = `${cost} · ${active} active`;
  return waiting ? `${text} · $(bell-dot) ${waiting} waiting` : text;
}

/**
 * `stats` as of `now`: the server counted a session active when `stats` was computed
 * (`generated_at`); sessions that went quiet past the idle threshold since then no longer count,
 * overall and per agent. Lets the ticker follow time between server updates without asking again.
 */
export function statsAsOf(stats: Stats, sessions: Iterable<Session>, now: number, t: StatusThresholds): Stats {
  const at = Date.parse(stats.generated_at);
  if (!Number.isFinite(at) || now <= at) return stats;
  const gone = new Map<string, number>();
  let total = 0;
  for (const s of sessions) {
    if (s.ended_at) continue;
    const crossing = Date.parse(s.last_event_at) + t.idleMs;
    // Active when the stats were computed (quiet at most idleMs), quiet for longer now.
    if (crossing >= at && crossing < now) {
      total++;
      gone.set(s.agent_type, (gone.get(s.agent_type) ?? 0) + 1);
    }
  }
  if (!total) return stats;
  const agents = stats.agents.map((a) => (gone.has(a.agent_type) ? { ...a, active_sessions: Math.max(0, a.active_sessions - gone.get(a.agent_type)!) } : a));
  return {
    ...stats,
    active_sessions: Math.max(0, stats.active_sessions - total),
    active_agents: Math.min(stats.active_agents, agents.filter((a) => a.active_sessions > 0).length),
    agents,
  };
}

/**
 * Readings that still say something about now: not marked stale by the server, and neither reset
 * nor older than their window since (the ticker keeps a reading between refreshes).
 */
export function freshRateLimits(limits: readonly RateLimitInfo[], now: number): RateLimitInfo[] {
  return limits.filter((l) => {
    if (l.stale) return false;
    const resets = l.resets_at ? Date.parse(l.resets_at) : NaN;
    if (Number.isFinite(resets) && resets <= now) return false;
    const seen = Date.parse(l.observed_at);
    return !(l.window_minutes && l.window_minutes > 0 && Number.isFinite(seen) && seen + l.window_minutes * 60_000 <= now);
  });
}

const WINDOW_NAMES: Record<number, string> = { 300: '5-hour', 10_080: '7-day' };

function windowName(l: RateLimitInfo): string {
  return (l.window_minutes && WINDOW_NAMES[l.window_minutes]) || l.window.replace(/_/g, ' ');
}

function resetTime(iso: string | null, now: number): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return '';
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (d.getTime() - now < 20 * 3_600_000) return `, resets at ${hm}`;
  return `, resets ${d.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric' })} ${hm}`;
}

/** `Claude Code 5-hour window: 42% used, resets at 14:05`, with a warning at 80% and 95%. */
export function rateLimitLine(l: RateLimitInfo, now: number): string {
  const pct = Math.round(l.used_percent);
  const level = pct >= 95 ? ' — **almost used up**' : pct >= 80 ? ' — **over 80%**' : '';
  return `${escapeMarkdown(agentLabel(l.agent_type))} ${windowName(l)} window: ${pct}% used${resetTime(l.resets_at, now)}${level}`;
}

export function isOverBudget(todayCost: number, budget: number | null | undefined): boolean {
  return !!budget && budget > 0 && todayCost > budget;
}

/** Local calendar day (`YYYY-MM-DD`), the key for "notify once per day". */
export function dayKey(now: number): string {
  const d = new Date(now);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function tickerView(
  state: ServerState,
  stats: Stats | null,
  byModel: readonly CostRow[] | null,
  budget: number | null,
  /** Sessions waiting for the user, longest waiting first. */
  waiting: readonly Session[] = [],
  /** Plan rate-limit readings (`GET /api/stats/usage-monitor`); only fresh ones are shown. */
  rateLimits: readonly RateLimitInfo[] = [],
  now: number = Date.now(),
): TickerView {
  switch (state.kind) {
    case 'stopped':
      return { text: '$(circle-slash) AgentMonitor', tooltip: 'AgentMonitor server is stopped.', background: 'none', overBudget: false };
    case 'starting':
      return { text: '$(loading~spin) AgentMonitor', tooltip: 'Starting the AgentMonitor server…', background: 'none', overBudget: false };
    case 'foreign':
      return {
        text: '$(warning) AgentMonitor: port busy',
        tooltip: escapeMarkdown(state.message),
        background: 'warning',
        overBudget: false,
      };
    case 'failed':
      return {
        text: '$(error) AgentMonitor',
        tooltip: `The AgentMonitor server failed: ${escapeMarkdown(state.message)}`,
        background: 'error',
        overBudget: false,
      };
    case 'crashed':
      return {
        text: '$(sync~spin) AgentMonitor',
        tooltip: `The AgentMonitor server stopped unexpectedly; restarting (attempt ${state.attempt}).`,
        background: 'none',
        overBudget: false,
      };
    case 'owner':
    case 'follower':
      break;
    default:
      return assertNever(state);
  }
  const cost = stats?.today.cost_usd ?? 0;
  const active = stats?.active_sessions ?? 0;
  const over = isOverBudget(cost, budget);
  const lines = [`**AgentMonitor — today ${formatUsd(cost)}**${budget ? ` of ${formatUsd(budget)} budget` : ''}`, ''];
  if (over && budget) lines.splice(1, 0, `**Over budget:** ${formatUsd(cost)} of ${formatUsd(budget)} (${formatUsd(cost - budget)} over)`);
  if (waiting.length) {
    lines.push(`**${waiting.length} agent${waiting.length === 1 ? '' : 's'} waiting for you**`);
    for (const s of waiting.slice(0, 8)) {
      if (!isWaiting(s)) continue;
      const where = projectName(s.project) || `session ${shortId(s.session_id)}`;
      lines.push(`${escapeMarkdown(agentLabel(s.agent_type))} — ${escapeMarkdown(where)}: ${waitingLabel(s.state)}${s.waiting_message ? ` (${escapeMarkdown(s.waiting_message)})` : ''}`);
    }
    lines.push('');
  }
  if (stats) {
    lines.push(`${active} active session${active === 1 ? '' : 's'} · ${formatTokens(stats.today.tokens_in + stats.today.tokens_out + stats.today.cache_read_tokens + stats.today.cache_write_tokens)} tokens today`);
    if (stats.burn_rate_usd_per_hour > 0) lines.push(`Burn rate: ${formatUsd(stats.burn_rate_usd_per_hour)}/h`);
    const agents = stats.agents.filter((a) => a.today_cost_usd > 0 || a.active_sessions > 0);
    if (agents.length) {
      lines.push('', '**By agent**');
      for (const a of agents) lines.push(`${escapeMarkdown(agentLabel(a.agent_type))}: ${formatUsd(a.today_cost_usd)}${a.active_sessions ? ` (${a.active_sessions} active)` : ''}`);
    }
  }
  const limits = freshRateLimits(rateLimits, now);
  if (limits.length) {
    lines.push('', '**Plan limits**');
    for (const l of limits) lines.push(rateLimitLine(l, now));
  }
  const models = (byModel ?? []).filter((r) => r.cost_usd > 0 || r.tokens_in + r.tokens_out > 0).slice(0, 8);
  if (models.length) {
    lines.push('', '**By model**');
    for (const r of models) lines.push(`${escapeMarkdown(r.key)}: ${formatUsd(r.cost_usd)}`);
  }
  lines.push('', state.kind === 'owner' ? `Server on ${escapeMarkdown(state.url)} (this window)` : `Following the server on ${escapeMarkdown(state.url)}`);
  lines.push('Click to open the dashboard.');
  return { text: tickerText(cost, active, waiting.length, budget), tooltip: lines.join('  \n'), background: over ? 'warning' : 'none', overBudget: over };
}

function assertNever(x: never): never {
  throw new Error(`unexpected server state ${JSON.stringify(x)}`);
}
