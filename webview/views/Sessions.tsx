import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Session, SessionSortKey } from '../../src/core/contracts/api';
import { useApp } from '../components/appContext';
import { ErrorNote, Loading, Section, SortTh, StatusBadge, UnpricedNote, type SortState } from '../components/ui';
import { routeHash } from '../data/appState';
import { nextSort } from '../lib/tableSort';
import { baseName, formatAgo, formatDateTime, formatDuration, formatInt, formatTokens, formatUsd, totalTokens } from '../lib/format';

const PAGE = 50;

export const DEFAULT_SESSION_SORT: SortState<SessionSortKey> = { key: 'last_event_at', dir: 'desc' };
/** Columns first sorted A→Z; the others (times and amounts) largest or latest first. */
const ASC_FIRST: readonly SessionSortKey[] = ['session_id', 'agent_type', 'project', 'model', 'status'];

/** The order after a click on `key`'s header (the server sorts: the list is paged). */
export function nextSessionSort(cur: SortState<SessionSortKey>, key: SessionSortKey): SortState<SessionSortKey> {
  return nextSort(cur, key, ASC_FIRST);
}

/** A model without its release-date suffix (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`); the cell's title has it whole. */
export function modelLabel(model: string): string {
  return model.replace(/-\d{8}$/, '');
}

export function sessionDurationMs(s: Session, now = Date.now()): number {
  const end = s.ended_at ? Date.parse(s.ended_at) : s.status === 'active' ? now : Date.parse(s.last_event_at);
  return Math.max(0, end - Date.parse(s.started_at));
}

export function Sessions() {
  const app = useApp();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState(DEFAULT_SESSION_SORT);
  const [rows, setRows] = useState<Session[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const tick = app.dataTick.value;

  const load = async (reset: boolean) => {
    const mine = ++seq.current;
    const isDefault = sort.key === DEFAULT_SESSION_SORT.key && sort.dir === DEFAULT_SESSION_SORT.dir;
    setLoading(true);
    try {
      const page = await app.ds.get('/api/sessions', {
        q: query || undefined,
        // The default order is asked without parameters: the same question as the warm-up's.
        sort: isDefault ? undefined : sort.key,
        dir: isDefault ? undefined : sort.dir,
        limit: PAGE,
        cursor: reset ? undefined : (cursor ?? undefined),
      });
      if (mine !== seq.current) return;
      setRows((old) => (reset ? page.sessions : [...old, ...page.sessions]));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };

  // A layout effect: the request leaves before the view's first paint (as in useApi).
  useLayoutEffect(() => {
    void load(true);
  }, [query, sort]);
  // Live totals: refresh the first page when aggregates change, unless the user paged further.
  useEffect(() => {
    if (tick && rows.length <= PAGE) void load(true);
  }, [Math.floor(tick / 5)]);

  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  const now = Date.now();
  const th = (label: string, key: SessionSortKey, cls?: string) => (
    <SortTh label={label} sortKey={key} sort={sort} onSort={(k) => setSort(nextSessionSort(sort, k))} class={cls} />
  );
  return (
    <div class="view-sessions">
      <Section
        title="Sessions"
        id="sessions"
        level={1}
        actions={
          <label class="search">
            <span class="sr-only">Search sessions</span>
            <input type="search" placeholder="Search id, project, branch, model, agent…" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} data-testid="session-search" />
          </label>
        }
      >
        <ErrorNote error={error} what="sessions" />
        {rows.length === 0 && loading && <Loading what="sessions" />}
        {rows.length === 0 && !loading && !error && <p class="muted empty-note" data-testid="sessions-empty">{query ? `No session matches "${query}".` : 'No sessions recorded yet.'}</p>}
        {rows.length > 0 && (
          <table class="table sessions-table" data-testid="sessions-table">
            <colgroup>
              <col class="w-id" />
              <col class="w-agent" />
              <col />
              <col />
              <col class="w-status" />
              <col class="w-started" />
              <col class="w-ago" />
              <col class="w-duration" />
              <col class="w-events" />
              <col class="w-tokens" />
              <col class="w-cost" />
            </colgroup>
            <thead>
              <tr>
                {th('Session', 'session_id')}
                {th('Agent', 'agent_type')}
                {th('Project', 'project')}
                {th('Model', 'model')}
                {th('Status', 'status')}
                {th('Started', 'started_at')}
                {th('Last activity', 'last_event_at')}
                {th('Duration', 'duration', 'num')}
                {th('Events', 'event_count', 'num')}
                {th('Tokens', 'tokens', 'num')}
                {th('Cost', 'cost_usd', 'num')}
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.session_id} data-key={s.session_id}>
                  <td data-col="session">
                    <div class="cell-id">
                      {/* Cut at the start when it must be: ids that share a prefix differ at the end. */}
                      <a class="id-tail" href={routeHash({ view: 'sessions', sessionId: s.session_id })} title={s.session_id}>
                        <bdi>{s.session_id}</bdi>
                      </a>
                      {s.parent_session_id && (
                        <span class="badge" title={`Subagent of ${s.parent_session_id}`}>
                          sub<span class="sr-only">agent</span>
                        </span>
                      )}
                    </div>
                  </td>
                  <td title={s.agent_type}>{s.agent_type}</td>
                  <td title={[s.project, s.branch].filter(Boolean).join(' · ')} data-col="project">
                    {baseName(s.project)}
                    {s.branch && <span class="muted"> · {s.branch}</span>}
                  </td>
                  <td title={s.model ?? ''}>{s.model ? modelLabel(s.model) : '—'}</td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td title={s.started_at} data-col="started">
                    {formatDateTime(s.started_at)}
                  </td>
                  <td title={`${formatDateTime(s.last_event_at)} (${s.last_event_at})`} data-col="last-activity">
                    {formatAgo(s.last_event_at, now)}
                  </td>
                  <td class="num">{formatDuration(sessionDurationMs(s, now))}</td>
                  <td class="num">{formatInt(s.event_count)}</td>
                  <td class="num">{formatTokens(totalTokens(s))}</td>
                  <td class="num" data-col="cost">
                    {formatUsd(s.cost_usd)} <UnpricedNote tokens={s.unpriced_tokens} format={formatTokens} compact />
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
