import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { WAITING_STATES, type PeriodTotals, type Session } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { agentName } from '../../src/core/contracts/agents';
import { contextPercent } from '../../src/core/contracts/contextWindow';
import { useApp } from '../components/appContext';
import { Chart } from '../components/Chart';
import { NeedsYou } from '../components/NeedsYou';
import { notificationsOn, notificationsSupported, setNotifications } from '../lib/waitingNotifications';
import { ConnectAgents, ErrorNote, Loading, Metric, Section, StatusBadge, UnpricedNote } from '../components/ui';
import { formatAgo, formatClock, formatDuration, formatInt, formatTokens, formatUsd, formatUsdTicks, totalTokens } from '../lib/format';
import { PulseSeries, runningSessions, type PulseView } from '../lib/pulse';
import { routeHash } from '../data/appState';
import { dailyBudget } from './Usage';

/** Server default until the pulse answer says otherwise (`AGENTMONITOR_IDLE_MINUTES`). */
const DEFAULT_IDLE_MINUTES = 5;
/** Live updates redraw the pulse at most this often. */
const PULSE_REDRAW_MS = 1000;

/**
 * The pulse, loaded once (and again after a resync or a data wipe), then kept current from the
 * SSE events; redrawn at most once a second and at each new minute.
 */
function usePulse(): { view: PulseView | null; error: string | null; idleMinutes: number } {
  const app = useApp();
  const model = useRef(new PulseSeries());
  const [state, setState] = useState<{ view: PulseView | null; error: string | null; idleMinutes: number }>({ view: null, error: null, idleMinutes: DEFAULT_IDLE_MINUTES });
  useEffect(() => {
    let alive = true;
    let redraw: ReturnType<typeof setTimeout> | null = null;
    let minuteTimer: ReturnType<typeof setTimeout> | null = null;
    let idleMinutes = DEFAULT_IDLE_MINUTES;
    let seq = 0;
    const show = () => {
      redraw = null;
      if (alive && model.current.loaded) setState({ view: model.current.view(), error: null, idleMinutes });
    };
    const schedule = () => {
      if (!redraw) redraw = setTimeout(show, PULSE_REDRAW_MS);
    };
    const everyMinute = () => {
      show();
      minuteTimer = setTimeout(everyMinute, 60_000 - (Date.now() % 60_000) + 50);
    };
    const load = () => {
      const mine = ++seq;
      model.current.reset();
      app.ds.get('/api/stats/pulse', { minutes: model.current.minutes }).then(
        (p) => {
          if (!alive || mine !== seq) return;
          idleMinutes = p.idle_after_minutes;
          model.current.load(p);
          show();
        },
        (e: Error) => alive && mine === seq && setState((s) => ({ ...s, error: e.message })),
      );
    };
    const offMessage = app.ds.onMessage((m) => {
      if (m.type === 'event') {
        if (model.current.add([m.event as StoredEvent])) schedule();
      } else if (m.type === 'data_cleared') load();
    });
    const offResync = app.ds.onResync(load);
    load();
    minuteTimer = setTimeout(everyMinute, 60_000 - (Date.now() % 60_000) + 50);
    return () => {
      alive = false;
      offMessage();
      offResync();
      if (redraw) clearTimeout(redraw);
      if (minuteTimer) clearTimeout(minuteTimer);
    };
  }, []);
  return state;
}

function PulseCharts(p: { view: PulseView | null; error: string | null }) {
  const v = p.view;
  const charts = useMemo(() => {
    if (!v) return null;
    const peak = v.peak ? `; busiest minute ${formatClock(v.peak.at)} with ${formatInt(v.peak.events)} events` : '';
    const last = v.events.length - 1;
    const eventsSummary = `${formatInt(v.totalEvents)} events in the last ${v.x.length} minutes (${formatInt(v.events[last])} this minute)${peak}.`;
    const minuteBars = { kind: 'bars', x: v.x, bucketS: 60, legendIdle: 'total', height: 150 } as const;
    const costSummary = `${formatUsd(v.totalCost)} in the last ${v.x.length} minutes (${formatUsd(v.cost[last])} this minute).`;
    return (
      <div class="pulse-charts">
        <Chart
          {...minuteBars}
          series={[{ label: 'Events', values: v.events }]}
          title="Events per minute · last hour"
          summary={eventsSummary}
          label="Events per minute over the last hour, live"
          formatValue={(n) => formatInt(n)}
          testId="pulse-events"
        />
        <Chart
          {...minuteBars}
          series={[{ label: 'Cost', values: v.cost }]}
          title="Cost per minute (USD) · last hour"
          summary={costSummary}
          label="Cost per minute in US dollars over the last hour, live"
          formatValue={formatUsd}
          formatTicks={formatUsdTicks}
          testId="pulse-cost"
        />
      </div>
    );
  }, [v]);
  if (p.error && !v) return <ErrorNote error={p.error} what="the activity pulse" />;
  return charts ?? <Loading what="the activity pulse" />;
}

function PeriodCard(p: { label: string; t: PeriodTotals; id: string }) {
  return (
    <Metric
      label={p.label}
      value={formatUsd(p.t.cost_usd)}
      testId={`period-${p.id}`}
      sub={
        <>
          <span data-testid={`period-${p.id}-tokens`}>{formatTokens(totalTokens(p.t))}</span> tokens · {formatInt(p.t.sessions)} sessions{' '}
          <UnpricedNote tokens={p.t.unpriced_tokens} format={formatTokens} />
        </>
      }
    />
  );
}

function AgentCard(p: { s: Session; now: number }) {
  const s = p.s;
  const end = s.status === 'ended' ? Date.parse(s.ended_at ?? s.last_event_at) : s.status === 'active' ? p.now : Date.parse(s.last_event_at);
  return (
    <a class={`agent-card status-${s.status}`} href={routeHash({ view: 'sessions', sessionId: s.session_id })} data-testid="agent-card" data-session={s.session_id}>
      <div class="agent-card-head">
        <span class="agent-name">{agentName(s.agent_type)}</span>
        {WAITING_STATES.includes(s.state) ? (
          <span class={`badge badge-${s.state}`}>{s.state === 'waiting_permission' ? 'needs permission' : 'waiting for input'}</span>
        ) : (
          <StatusBadge status={s.status} />
        )}
      </div>
      <div class="agent-project" title={s.project ?? ''}>
        {s.project ?? 'no project'}
        {s.branch && <span class="muted"> · {s.branch}</span>}
      </div>
      <dl class="kv">
        <dt>Model</dt>
        <dd>{s.model ?? '—'}</dd>
        <dt>Tool</dt>
        <dd>
          {s.last_tool ?? '—'} {s.last_tool_status && <StatusBadge status={s.last_tool_status} />}
        </dd>
        <dt>Cost</dt>
        <dd data-testid="agent-card-cost">{formatUsd(s.cost_usd)}</dd>
        <dt>Tokens</dt>
        <dd>{formatTokens(totalTokens(s))}</dd>
        {s.context_tokens ? (
          <>
            <dt>Context</dt>
            <dd data-testid="agent-card-context">
              {s.context_window ? `${contextPercent(s.context_tokens, s.context_window)}% of ${formatInt(s.context_window)}` : `${formatTokens(s.context_tokens)} tokens`}
            </dd>
          </>
        ) : null}
        <dt>Duration</dt>
        <dd>{formatDuration(end - Date.parse(s.started_at))}</dd>
        <dt>Last event</dt>
        <dd>
          {s.last_event_type ?? '—'} · {formatAgo(s.last_event_at, p.now)}
        </dd>
      </dl>
    </a>
  );
}

/** Today's cost over the daily budget (the extension's ticker uses the same rule). */
export function overBudget(todayCost: number, budget: number | null): boolean {
  return budget !== null && budget > 0 && todayCost > budget;
}

/** `over budget: $12.34 of $10.00`, in the header and on the overview; nothing while under it. */
export function OverBudget(p: { todayCost: number; budget: number | null; where: 'header' | 'overview' }) {
  if (!overBudget(p.todayCost, p.budget)) return null;
  const text = `over budget: ${formatUsd(p.todayCost)} of ${formatUsd(p.budget)}`;
  return p.where === 'header' ? (
    <a class="over-budget" href={routeHash({ view: 'usage', sessionId: null })} data-testid="header-over-budget" title="Today's cost is over the daily budget: see Usage">
      <span aria-hidden="true">⚠ </span>
      {text}
    </a>
  ) : (
    <p class="over-budget-banner" role="status" data-testid="overview-over-budget">
      <span aria-hidden="true">⚠ </span>
      <strong>Over budget:</strong> today's cost is {formatUsd(p.todayCost)} of your {formatUsd(p.budget)} daily budget ({formatUsd(p.todayCost - p.budget!)} over).{' '}
      <a href={routeHash({ view: 'usage', sessionId: null })}>See Usage</a>
    </p>
  );
}

/** "Notify me when an agent waits": browser notifications (`lib/waitingNotifications.ts`). */
function NotifyToggle() {
  const [on, setOn] = useState(notificationsOn);
  return (
    <label class="notify-toggle">
      <input type="checkbox" checked={on} data-testid="notify-waiting" onChange={(e) => void setNotifications((e.target as HTMLInputElement).checked).then(setOn)} />
      {' Notify me when an agent waits'}
    </label>
  );
}

export function Overview() {
  const app = useApp();
  const stats = app.stats.value;
  const pulse = usePulse();
  const now = Date.now();
  const sessions = runningSessions(app.sessions.value.values(), now, pulse.idleMinutes);
  const budget = dailyBudget.value;
  if (!stats) return app.statsError.value ? <ErrorNote error={app.statsError.value} what="statistics" /> : <Loading what="statistics" />;
  if (stats.total.events === 0) return <ConnectAgents />;
  return (
    <div class="view-overview">
      <OverBudget todayCost={stats.today.cost_usd} budget={budget} where="overview" />
      <NeedsYou sessions={app.sessions.value.values()} now={now} />
      <div class="metrics">
        <PeriodCard label="Today" t={stats.today} id="today" />
        <PeriodCard label="Last 7 days" t={stats.last_7_days} id="7d" />
        <PeriodCard label="Last 30 days" t={stats.last_30_days} id="30d" />
        <Metric
          label="Burn rate · last 60 min"
          value={`${formatUsd(stats.burn_rate_usd_per_hour)}/h`}
          testId="burn-rate"
          sub={`${stats.events_per_minute.toFixed(1)} events/min, averaged over the last 60 minutes`}
        />
        <Metric label="Active" value={`${stats.active_sessions} sessions`} testId="active" sub={`${stats.active_agents} agents`} />
      </div>
      <Section title="Activity" id="pulse">
        <PulseCharts view={pulse.view} error={pulse.error} />
      </Section>
      <Section title="Running now" id="running" actions={app.initial.host === 'browser' && notificationsSupported() ? <NotifyToggle /> : undefined}>
        {sessions.length === 0 ? (
          <p class="muted">No agent is running right now. Recent sessions are under Sessions.</p>
        ) : (
          <div class="agent-cards">
            {sessions.map((s) => (
              <AgentCard key={s.session_id} s={s} now={now} />
            ))}
          </div>
        )}
      </Section>
      {stats.agents.length > 0 && (
        <Section title="Agents" id="agents">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col" class="num">Sessions</th>
                <th scope="col" class="num">Active</th>
                <th scope="col" class="num">Today</th>
                <th scope="col" class="num">All time</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {stats.agents.map((a) => (
                <tr key={a.agent_type}>
                  <td>{agentName(a.agent_type)}</td>
                  <td class="num">{formatInt(a.sessions)}</td>
                  <td class="num">{formatInt(a.active_sessions)}</td>
                  <td class="num">{formatUsd(a.today_cost_usd)}</td>
                  <td class="num">{formatUsd(a.total_cost_usd)}</td>
                  <td>{formatAgo(a.last_seen_at, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
    </div>
  );
}
