import type { PeriodTotals, Session } from '../../src/core/contracts/api';
import { useApp } from '../components/appContext';
import { ConnectAgents, ErrorNote, Loading, Metric, Section, StatusBadge, UnpricedNote } from '../components/ui';
import { formatAgo, formatDuration, formatInt, formatTokens, formatUsd, totalTokens } from '../lib/format';
import { routeHash } from '../data/appState';

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
        <span class="agent-name">{s.agent_type}</span>
        <StatusBadge status={s.status} />
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

export function Overview() {
  const app = useApp();
  const stats = app.stats.value;
  const sessions = [...app.sessions.value.values()]
    .filter((s) => s.status !== 'ended' && !s.parent_session_id)
    .sort((a, b) => b.last_event_at.localeCompare(a.last_event_at))
    .slice(0, 24);
  const now = Date.now();
  if (!stats) return app.statsError.value ? <ErrorNote error={app.statsError.value} what="statistics" /> : <Loading what="statistics" />;
  if (stats.total.events === 0) return <ConnectAgents />;
  return (
    <div class="view-overview">
      <div class="metrics">
        <PeriodCard label="Today" t={stats.today} id="today" />
        <PeriodCard label="Last 7 days" t={stats.last_7_days} id="7d" />
        <PeriodCard label="Last 30 days" t={stats.last_30_days} id="30d" />
        <Metric label="Burn rate" value={`${formatUsd(stats.burn_rate_usd_per_hour)}/h`} testId="burn-rate" sub={`${stats.events_per_minute.toFixed(1)} events/min`} />
        <Metric label="Active" value={`${stats.active_sessions} sessions`} testId="active" sub={`${stats.active_agents} agents`} />
      </div>
      <Section title="Running now" id="running">
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
                  <td>{a.agent_type}</td>
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
