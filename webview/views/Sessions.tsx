import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { Session, SessionsPage } from '../../src/core/contracts/api';
import { useApp } from '../components/appContext';
import { ErrorNote, Loading, Section, StatusBadge, UnpricedNote } from '../components/ui';
import { routeHash } from '../data/appState';
import { baseName, formatAgo, formatDateTime, formatDuration, formatInt, formatTokens, formatUsd, shortId, totalTokens } from '../lib/format';

const PAGE = 50;

export function sessionDurationMs(s: Session, now = Date.now()): number {
  const end = s.ended_at ? Date.parse(s.ended_at) : s.status === 'active' ? now : Date.parse(s.last_event_at);
  return Math.max(0, end - Date.parse(s.started_at));
}

export function Sessions() {
  const app = useApp();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<Session[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const tick = app.dataTick.value;

  const load = async (reset: boolean) => {
    setLoading(true);
    try {
      const page = await app.ds.get<SessionsPage>('/api/sessions', { q: query || undefined, limit: PAGE, cursor: reset ? undefined : (cursor ?? undefined) });
      setRows((old) => (reset ? page.sessions : [...old, ...page.sessions]));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  // A layout effect: the request leaves before the view's first paint (as in useApi).
  useLayoutEffect(() => {
    void load(true);
  }, [query]);
  // Live totals: refresh the first page when aggregates change, unless the user paged further.
  useEffect(() => {
    if (tick && rows.length <= PAGE) void load(true);
  }, [Math.floor(tick / 5)]);

  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  const now = Date.now();
  return (
    <div class="view-sessions">
      <Section
        title="Sessions"
        id="sessions"
        actions={
          <label class="search">
            <span class="sr-only">Search sessions</span>
            <input type="search" placeholder="Search id, project, branch, model, agent…" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} data-testid="session-search" />
          </label>
        }
      >
        <ErrorNote error={error} what="sessions" />
        {rows.length === 0 && loading && <Loading what="sessions" />}
        {rows.length === 0 && !loading && !error && <p class="muted">{query ? `No session matches "${query}".` : 'No sessions recorded yet.'}</p>}
        {rows.length > 0 && (
          <table class="table" data-testid="sessions-table">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Agent</th>
                <th scope="col">Project</th>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col" class="num">Duration</th>
                <th scope="col" class="num">Events</th>
                <th scope="col" class="num">Tokens</th>
                <th scope="col" class="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.session_id} data-key={s.session_id}>
                  <td>
                    <a href={routeHash({ view: 'sessions', sessionId: s.session_id })} title={s.session_id}>
                      {shortId(s.session_id, 12)}
                    </a>
                    {s.parent_session_id && <span class="badge">subagent</span>}
                  </td>
                  <td class="nowrap">{s.agent_type}</td>
                  <td title={s.project ?? ''}>
                    {baseName(s.project)}
                    {s.branch && <span class="muted"> · {s.branch}</span>}
                  </td>
                  <td class="nowrap">{s.model ?? '—'}</td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td title={s.started_at} class="nowrap">
                    {formatDateTime(s.started_at)} <span class="muted">({formatAgo(s.last_event_at, now)})</span>
                  </td>
                  <td class="num">{formatDuration(sessionDurationMs(s, now))}</td>
                  <td class="num">{formatInt(s.event_count)}</td>
                  <td class="num">{formatTokens(totalTokens(s))}</td>
                  <td class="num" data-col="cost">
                    {formatUsd(s.cost_usd)} <UnpricedNote tokens={s.unpriced_tokens} format={formatTokens} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cursor && (
          <button type="button" class="btn" disabled={loading} onClick={() => void load(false)}>
            Load more
          </button>
        )}
      </Section>
    </div>
  );
}
