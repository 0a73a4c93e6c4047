import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Session, SessionsPage, SessionSortKey, SessionStatus } from '../../src/core/contracts/api';
import type { ApiGetQuery } from '../../src/core/contracts/apiRoutes';
import { agentName } from '../../src/core/contracts/agents';
import { useApp } from '../components/appContext';
import { useApi } from '../components/useApi';
import { ErrorNote, Loading, Section, SortTh, StatusBadge, UnpricedNote, type SortState } from '../components/ui';
import { routeHash } from '../data/appState';
import { COST_RE, sessionQueryString, type SessionListQuery } from '../lib/sessionQuery';
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

type ListedSession = Session & { subagents?: number };

/** One row of the list; a subagent row (`parent`) nested under its parent's. */
function SessionRow(p: { s: ListedSession; now: number; toggle?: ComponentChildren; parent?: string }) {
  return (
    <tr data-key={p.s.session_id} data-parent={p.parent} class={p.parent ? 'sub-row' : undefined}>
      <td data-col="session">
        <div class="cell-id">
          {p.toggle}
          {/* Cut at the start when it must be: ids that share a prefix differ at the end. */}
          <a class="id-tail" href={routeHash({ view: 'sessions', sessionId: p.s.session_id })} title={p.s.session_id}>
            <bdi>{p.s.session_id}</bdi>
          </a>
          {p.s.parent_session_id && !p.parent && (
            <span class="badge" title={`Subagent of ${p.s.parent_session_id}`}>
              sub<span class="sr-only">agent</span>
            </span>
          )}
        </div>
      </td>
      <td title={p.s.agent_type}>{agentName(p.s.agent_type)}</td>
      <td title={[p.s.project, p.s.branch].filter(Boolean).join(' · ')} data-col="project">
        {baseName(p.s.project)}
        {p.s.branch && <span class="muted"> · {p.s.branch}</span>}
      </td>
      <td title={p.s.model ?? ''}>{p.s.model ? modelLabel(p.s.model) : '—'}</td>
      <td>
        <StatusBadge status={p.s.status} />
      </td>
      <td title={p.s.started_at} data-col="started">
        {formatDateTime(p.s.started_at)}
      </td>
      <td title={`${formatDateTime(p.s.last_event_at)} (${p.s.last_event_at})`} data-col="last-activity">
        {formatAgo(p.s.last_event_at, p.now)}
      </td>
      <td class="num">{formatDuration(sessionDurationMs(p.s, p.now))}</td>
      <td class="num">{formatInt(p.s.event_count)}</td>
      <td class="num">{formatTokens(totalTokens(p.s))}</td>
      <td class="num" data-col="cost">
        {formatUsd(p.s.cost_usd)} <UnpricedNote tokens={p.s.unpriced_tokens} format={formatTokens} compact />
      </td>
    </tr>
  );
}

interface SessionFilter {
  agent_type?: string;
  status?: SessionStatus;
  project?: string;
  /** A team server's people only. */
  person?: string;
  /** A team server's machines only. */
  machine?: string;
  /** USD, as typed (a valid amount). */
  min_cost?: string;
}

const STATUSES: readonly SessionStatus[] = ['active', 'idle', 'ended'];

/** The list's filters: agent, status, project (the values the store knows) and a lowest cost. */
function SessionFilters(p: { filter: SessionFilter; onChange(f: SessionFilter): void; minCost: string; onMinCost(v: string): void }) {
  const opts = useApi('/api/filter-options');
  const f = p.filter;
  const select = (key: 'agent_type' | 'status' | 'project' | 'person' | 'machine', label: string, values: readonly string[]) => (
    <label>
      <span>{label}</span>
      <select data-filter={key} value={f[key] ?? ''} onChange={(e) => p.onChange({ ...f, [key]: (e.currentTarget as HTMLSelectElement).value || undefined })}>
        <option value="">All</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {key === 'project' ? baseName(v) : key === 'agent_type' ? agentName(v) : v}
          </option>
        ))}
        {f[key] && !values.includes(f[key]!) && <option value={f[key]}>{f[key]}</option>}
      </select>
    </label>
  );
  return (
    <form class="filters" aria-label="Session filters" onSubmit={(e) => e.preventDefault()}>
      {select('agent_type', 'Agent', opts.data?.agent_types ?? [])}
      {select('status', 'Status', STATUSES)}
      {select('project', 'Project', opts.data?.projects ?? [])}
      {opts.data?.people && select('person', 'Person', opts.data.people)}
      {opts.data?.machines?.length ? select('machine', 'Machine', opts.data.machines) : null}
      <label>
        <span>Cost at least ($)</span>
        <input
          type="number"
          min="0"
          step="0.01"
          inputMode="decimal"
          data-filter="min_cost"
          placeholder="0.00"
          value={p.minCost}
          onInput={(e) => p.onMinCost((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button
        type="button"
        class="btn"
        onClick={() => {
          p.onMinCost('');
          p.onChange({});
        }}
      >
        Clear filters
      </button>
    </form>
  );
}

/** A typed lowest cost as the list takes it (a plain decimal), or undefined. */
const validCost = (v: string): string | undefined => (COST_RE.test(v.trim()) ? v.trim() : undefined);

export function Sessions() {
  const app = useApp();
  // Filters, search and order live in the location hash (`lib/sessionQuery.ts`).
  const route = app.route.value;
  const list: SessionListQuery = (route.view === 'sessions' && route.list) || {};
  const listKey = sessionQueryString(list);
  const query = list.q ?? '';
  const sort: SortState<SessionSortKey> = list.sort ? { key: list.sort, dir: list.dir ?? 'desc' } : DEFAULT_SESSION_SORT;
  const filter: SessionFilter = { agent_type: list.agent_type, status: list.status, project: list.project, person: list.person, machine: list.machine, min_cost: list.min_cost };
  // The latest list, for changes made after a debounce (the route may have moved meanwhile).
  const latest = useRef(list);
  latest.current = list;
  /** The hash the list itself set last: the inputs already show it (and may hold newer typing). */
  const own = useRef<string | null>(null);
  const setList = (change: Partial<SessionListQuery>) => {
    const hash = routeHash({ view: 'sessions', sessionId: null, list: { ...latest.current, ...change } });
    own.current = hash;
    if (location.hash !== hash) location.hash = hash;
  };
  const setQuery = (v: string) => setList({ q: v || undefined });
  const setSort = (v: SortState<SessionSortKey>) => {
    const isDefault = v.key === DEFAULT_SESSION_SORT.key && v.dir === DEFAULT_SESSION_SORT.dir;
    setList({ sort: isDefault ? undefined : v.key, dir: isDefault ? undefined : v.dir });
  };
  const setFilter = (f: SessionFilter) => setList({ agent_type: f.agent_type, status: f.status, project: f.project, person: f.person, machine: f.machine, min_cost: f.min_cost });
  const [q, setQ] = useState(query);
  const [minCost, setMinCost] = useState(list.min_cost ?? '');
  const isDefault = sort.key === DEFAULT_SESSION_SORT.key && sort.dir === DEFAULT_SESSION_SORT.dir;
  const firstPage: ApiGetQuery<'/api/sessions'> = {
    q: query || undefined,
    agent_type: filter.agent_type,
    status: filter.status,
    project: filter.project,
    person: filter.person,
    machine: filter.machine,
    min_cost: filter.min_cost,
    // Searching lists subagents too (a search may be for one); otherwise under their parent.
    nest: query ? undefined : true,
    // The default order is asked without parameters: the same question as the warm-up's.
    sort: isDefault ? undefined : sort.key,
    dir: isDefault ? undefined : sort.dir,
    limit: PAGE,
  };
  // The first page is an answer like useApi's: a recent one, with nothing written since, is shown at once.
  const answerKey = `/api/sessions${JSON.stringify(firstPage)}`;
  const reuse = () => app.answers.fresh<SessionsPage>(answerKey, app.dataTick.peek());
  const [initial] = useState(reuse);
  const [rows, setRows] = useState<ListedSession[]>(initial?.data.sessions ?? []);
  // Subagents are nested under their parent, collapsed; expanded ones are loaded on demand.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [children, setChildren] = useState<Record<string, Session[] | { error: string } | undefined>>({});
  const [cursor, setCursor] = useState<string | null>(initial?.data.next_cursor ?? null);
  const [loading, setLoading] = useState(!initial);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const tick = app.dataTick.value;

  const load = async (reset: boolean) => {
    const mine = ++seq.current;
    const askedAt = app.dataTick.peek();
    const generation = app.answers.generation();
    const at = Date.now();
    setLoading(true);
    app.asking++;
    try {
      const page = await app.ds.get('/api/sessions', { ...firstPage, cursor: reset ? undefined : (cursor ?? undefined) });
      if (reset) app.answers.keep(answerKey, page, askedAt, at, generation);
      if (mine !== seq.current) return;
      setRows((old) => (reset ? page.sessions : [...old, ...page.sessions]));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    } finally {
      app.asking--;
      if (mine === seq.current) setLoading(false);
    }
  };

  // A layout effect: the request leaves before the view's first paint (as in useApi).
  const shown = useRef(initial ? answerKey : '');
  useLayoutEffect(() => {
    if (shown.current === answerKey) return;
    shown.current = answerKey;
    const hit = reuse();
    if (!hit) return void load(true);
    seq.current++;
    setRows(hit.data.sessions);
    setCursor(hit.data.next_cursor);
    setError(null);
    setLoading(false);
  }, [answerKey]);
  // The hash changed from outside the inputs (Back, a link): they show it.
  useEffect(() => {
    if (location.hash === own.current) return;
    setQ((cur) => (cur.trim() === query ? cur : query));
    setMinCost((cur) => (validCost(cur) === list.min_cost ? cur : (list.min_cost ?? '')));
  }, [listKey]);

  const loadChildren = async (id: string) => {
    try {
      // In the order they started, as on the parent's page.
      const page = await app.ds.get('/api/sessions', { parent_session_id: id, sort: 'started_at', dir: 'asc', limit: 500 });
      setChildren((c) => ({ ...c, [id]: page.sessions }));
    } catch (e) {
      setChildren((c) => ({ ...c, [id]: { error: (e as Error).message } }));
    }
  };
  const toggleSubagents = (id: string) => {
    const next = new Set(expanded);
    if (next.delete(id)) {
      setExpanded(next);
      return;
    }
    next.add(id);
    setExpanded(next);
    void loadChildren(id);
  };
  // Live totals: refresh the first page when aggregates change, unless the user paged further.
  // Not when the view mounts: the layout effect above asked (or reused) the first page then.
  const tickShown = useRef(Math.floor(tick / 5));
  useEffect(() => {
    if (tickShown.current === Math.floor(tick / 5)) return;
    tickShown.current = Math.floor(tick / 5);
    if (rows.length <= PAGE) void load(true);
  }, [Math.floor(tick / 5)]);

  useEffect(() => {
    const t = setTimeout(() => {
      if (q.trim() !== (latest.current.q ?? '')) setQuery(q.trim());
    }, 250);
    return () => clearTimeout(t);
  }, [q]);
  useEffect(() => {
    const t = setTimeout(() => {
      const next = validCost(minCost);
      if (next !== latest.current.min_cost) setList({ min_cost: next });
    }, 250);
    return () => clearTimeout(t);
  }, [minCost]);

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
        <SessionFilters filter={filter} onChange={setFilter} minCost={minCost} onMinCost={setMinCost} />
        <ErrorNote error={error} what="sessions" />
        {rows.length === 0 && loading && <Loading what="sessions" />}
        {rows.length === 0 && !loading && !error && <p class="muted empty-note" data-testid="sessions-empty">{query ? `No session matches "${query}".` : Object.values(filter).some(Boolean) ? 'No session matches these filters.' : 'No sessions recorded yet.'}</p>}
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
              {rows.map((s) => {
                // Only a nested list expands (a search lists subagents in their own rows).
                const open = !!s.subagents && expanded.has(s.session_id);
                const kids = children[s.session_id];
                const toggle = !!s.subagents && (
                  <button
                    type="button"
                    class="sub-toggle"
                    aria-expanded={open}
                    aria-label={`${open ? 'Hide' : 'Show'} ${s.subagents} ${s.subagents === 1 ? 'subagent' : 'subagents'} of ${s.session_id}`}
                    title={`${s.subagents} ${s.subagents === 1 ? 'subagent' : 'subagents'}`}
                    data-testid="subagents-toggle"
                    onClick={() => toggleSubagents(s.session_id)}
                  >
                    <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                    {formatInt(s.subagents)}
                  </button>
                );
                const nested = !open
                  ? []
                  : Array.isArray(kids)
                    ? kids.map((c) => <SessionRow key={`${s.session_id}/${c.session_id}`} s={c} now={now} parent={s.session_id} />)
                    : [
                        <tr key={`${s.session_id}/…`} class="sub-row" data-parent={s.session_id}>
                          <td colSpan={11} class="muted">
                            {kids === undefined ? 'Loading subagents…' : `Could not load subagents: ${kids.error}`}
                          </td>
                        </tr>,
                      ];
                return [<SessionRow key={s.session_id} s={s} now={now} toggle={toggle} />, ...nested];
              })}
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
