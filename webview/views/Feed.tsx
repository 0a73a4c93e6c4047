import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FilterOptions } from '../../src/core/contracts/api';
import { agentName } from '../../src/core/contracts/agents';
import type { StoredEvent } from '../../src/core/contracts/events';
import { useApp } from '../components/appContext';
import { useApi } from '../components/useApi';
import { ErrorNote, StatusBadge } from '../components/ui';
import { VirtualList } from '../components/VirtualList';
import type { FeedFilter } from '../data/eventFilter';
import { routeHash } from '../data/appState';
import { baseName, formatDuration, formatEntryTime, formatFeedTime, formatInt, formatTokens, formatUsd, totalTokens } from '../lib/format';
import { distinctIdLabels } from '../lib/idLabels';

const ROW_HEIGHT = 28;

type SelectKey = 'agent_type' | 'event_type' | 'tool_name' | 'model' | 'project' | 'person' | 'machine';
const SELECTS: { key: SelectKey; label: string; options: keyof FilterOptions }[] = [
  { key: 'agent_type', label: 'Agent', options: 'agent_types' },
  { key: 'event_type', label: 'Event type', options: 'event_types' },
  { key: 'tool_name', label: 'Tool', options: 'tool_names' },
  { key: 'model', label: 'Model', options: 'models' },
  { key: 'project', label: 'Project', options: 'projects' },
  // Listed by a team server only (`people`).
  { key: 'person', label: 'Person', options: 'people' },
  // Listed by a team server that knows where events came from (`machines`).
  { key: 'machine', label: 'Machine', options: 'machines' },
];

function FilterBar() {
  const app = useApp();
  const feed = app.feed;
  const opts = useApi('/api/filter-options');
  const f = feed.filter.value;
  const [session, setSession] = useState(f.session_id?.[0] ?? '');
  const set = (key: keyof FeedFilter, value: string) => feed.setFilter({ ...f, [key]: value ? [value] : undefined });
  return (
    <form
      class="filters"
      aria-label="Feed filters"
      onSubmit={(e) => {
        e.preventDefault();
        set('session_id', session.trim());
      }}
    >
      {SELECTS.filter((s) => (s.key !== 'person' || opts.data?.people) && (s.key !== 'machine' || opts.data?.machines?.length)).map((s) => (
        <label key={s.key}>
          <span>{s.label}</span>
          <select data-filter={s.key} value={f[s.key]?.[0] ?? ''} onChange={(e) => set(s.key, (e.currentTarget as HTMLSelectElement).value)}>
            <option value="">All</option>
            {(opts.data?.[s.options] ?? []).map((v) => (
              <option key={v} value={v}>
                {s.key === 'agent_type' ? agentName(v) : v}
              </option>
            ))}
            {f[s.key]?.[0] && !(opts.data?.[s.options] ?? []).includes(f[s.key]![0]) && <option value={f[s.key]![0]}>{f[s.key]![0]}</option>}
          </select>
        </label>
      ))}
      <label>
        <span>Session</span>
        <input
          type="search"
          data-filter="session_id"
          placeholder="session id, Enter"
          value={session}
          onInput={(e) => setSession((e.currentTarget as HTMLInputElement).value)}
          onBlur={() => session.trim() !== (f.session_id?.[0] ?? '') && set('session_id', session.trim())}
        />
      </label>
      <button
        type="button"
        class="btn"
        onClick={() => {
          setSession('');
          feed.setFilter({});
        }}
      >
        Clear filters
      </button>
    </form>
  );
}

/** Re-rendered only when its event or its session's label changed (rows above it do not re-render it). */
const Row = memo(
  function Row(p: { e: StoredEvent; rev: number; sessionLabel: string }) {
    const e = p.e;
    const tokens = totalTokens(e);
    return (
      <>
        <span class="c-time" title={formatEntryTime(e.created_at, true)}>
          {formatFeedTime(e.created_at)}
        </span>
        <span class="c-agent" title={e.agent_type}>
          {agentName(e.agent_type)}
        </span>
        <span class="c-type">{e.event_type}</span>
        <span class="c-tool" title={e.tool_name ?? undefined}>
          {e.tool_name ?? ''}
        </span>
        <span class="c-status">
          <StatusBadge status={e.status} />
        </span>
        <span class="c-model" title={e.model ?? undefined}>
          {e.model ?? ''}
        </span>
        <span class="c-project" title={e.project ?? undefined}>
          {e.project ? baseName(e.project) : ''}
        </span>
        <span class="c-num c-tokens">{tokens ? formatTokens(tokens) : ''}</span>
        <span class="c-num c-cost">{e.cost_usd !== null ? formatUsd(e.cost_usd) : e.cost_source === 'unpriced' ? 'unpriced' : ''}</span>
        <span class="c-session" title={e.session_id}>
          <bdi>{p.sessionLabel}</bdi>
        </span>
      </>
    );
  },
  (a, b) => a.e === b.e && a.rev === b.rev && a.sessionLabel === b.sessionLabel,
);

const COLUMNS: [string, string][] = [
  ['Time', 'c-time'],
  ['Agent', 'c-agent'],
  ['Type', 'c-type'],
  ['Tool', 'c-tool'],
  ['Status', 'c-status'],
  ['Model', 'c-model'],
  ['Project', 'c-project'],
  ['Tokens', 'c-num c-tokens'],
  ['Cost', 'c-num c-cost'],
  ['Session', 'c-session'],
];
const HEADER = (
  <div class="vrow vhead" role="row">
    {COLUMNS.map(([h, cls]) => (
      <span key={h} role="columnheader" class={cls}>
        {h}
      </span>
    ))}
  </div>
);

/** Short distinct labels of the loaded rows' sessions, recomputed only when rows were added or dropped. */
function useSessionLabels(feed: { buffer: { length: number; at(i: number): StoredEvent | undefined } }): Map<string, string> {
  const count = feed.buffer.length;
  return useMemo(() => {
    const ids = new Set<string>();
    for (let i = 0; i < count; i++) {
      const e = feed.buffer.at(i);
      if (e) ids.add(e.session_id);
    }
    return distinctIdLabels(ids);
  }, [count, feed.buffer.at(0)?.id, feed.buffer.at(count - 1)?.id]);
}

function Detail(p: { e: StoredEvent; onClose(): void }) {
  const e = p.e;
  const fields: [string, string][] = [
    ['Event id', e.event_id ?? '—'],
    ['Stored id', String(e.id)],
    ['Time', e.created_at],
    ['Received', e.received_at],
    ['Agent', `${agentName(e.agent_type)} (${e.agent_type})`],
    ['Type', e.event_type],
    ['Tool', e.tool_name ?? '—'],
    ['Status', e.status ?? '—'],
    ['Duration', formatDuration(e.duration_ms)],
    ['Model', e.model ?? '—'],
    ['Input tokens', formatInt(e.tokens_in)],
    ['Output tokens', formatInt(e.tokens_out)],
    ['Cache read', formatInt(e.cache_read_tokens)],
    ['Cache write', formatInt(e.cache_write_tokens)],
    ['Cost', `${formatUsd(e.cost_usd)} (${e.cost_source})`],
    ...(typeof e.metadata?.agent_cost_usd === 'number' ? [["Agent's own cost", formatUsd(e.metadata.agent_cost_usd)] as [string, string]] : []),
    ['Project', e.project ?? '—'],
    ['Branch', e.branch ?? '—'],
    ['Source', e.source],
  ];
  return (
    <aside class="detail" aria-label="Event detail" data-testid="event-detail">
      <div class="section-head">
        <h2>
          {e.event_type}
          {e.tool_name ? ` · ${e.tool_name}` : ''}
        </h2>
        <button type="button" class="btn" onClick={p.onClose} aria-label="Close detail">
          Close
        </button>
      </div>
      <dl class="kv">
        {fields.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
        <dt>Session</dt>
        <dd>
          <a href={routeHash({ view: 'sessions', sessionId: e.session_id })}>{e.session_id}</a>
        </dd>
      </dl>
      {e.payload_truncated && <p class="muted">Metadata was truncated at ingest.</p>}
      {e.metadata && <pre class="json" data-testid="event-metadata">{JSON.stringify(e.metadata, null, 2)}</pre>}
    </aside>
  );
}

export function Feed() {
  const app = useApp();
  const feed = app.feed;
  const version = feed.version.value;
  const [selected, setSelected] = useState<number | null>(null);
  const [detailId, setDetailId] = useState<number | null>(null);
  const count = feed.buffer.length;
  const detail = detailId !== null ? (feed.buffer.get(detailId) ?? null) : null;
  const labels = useSessionLabels(feed);
  // Rows are by time, so the last one tells whether any row is of another day than today.
  const oldest = count ? feed.buffer.at(count - 1)?.created_at : undefined;
  const dated = !!oldest && new Date(oldest).toDateString() !== new Date().toDateString();

  // The selection stays on its event when rows arrive above it (at the top, or in their place by time).
  const selectedId = useRef<number | null>(null);
  const select = (i: number | null) => {
    selectedId.current = i === null ? null : (feed.buffer.at(i)?.id ?? null);
    setSelected(i);
  };
  useEffect(() => {
    if (selected === null || selectedId.current === null) return;
    const i = feed.buffer.indexOf(selectedId.current);
    if (i >= 0 && i !== selected) setSelected(i);
  }, [version]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.key === 'p' || e.key === ' ') {
        e.preventDefault();
        feed.setPaused(!feed.paused.value);
      } else if (e.key === 'Escape') setDetailId(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div class="view-feed">
      <FilterBar />
      <div class="feed-toolbar">
        <button type="button" class="btn" aria-pressed={feed.paused.value} onClick={() => feed.setPaused(!feed.paused.value)} data-testid="pause">
          {feed.paused.value ? 'Resume' : 'Pause'}
        </button>
        <span class="muted" data-testid="feed-count" aria-live="polite">
          {formatInt(count)} {count === 1 ? 'event' : 'events'} shown
          {feed.paused.value && feed.pausedCount.value > 0 ? ` · ${formatInt(feed.pausedCount.value)} new while paused` : ''}
          {feed.hasMore.value ? ' · scroll for older' : ''}
        </span>
        <span class="muted kbd-hint">p pause · ↑↓ move · Enter details · Esc close</span>
      </div>
      <ErrorNote error={feed.error.value} what="events" />
      <div class={`feed-body${detail ? ' with-detail' : ''}${dated ? ' feed-dated' : ''}`}>
        {count === 0 && !feed.loading.value ? (
          <p class="muted empty-feed empty-note">No events match. New events appear here as they arrive.</p>
        ) : (
          <VirtualList
            count={count}
            rowHeight={ROW_HEIGHT}
            version={version}
            addedTop={feed.lastAddedTop}
            selected={selected}
            onSelect={select}
            onActivate={(i) => setDetailId(feed.buffer.at(i)?.id ?? null)}
            onEndReached={() => feed.hasMore.value && void feed.loadMore()}
            renderRow={(i) => {
              const e = feed.buffer.at(i);
              return e ? <Row e={e} rev={feed.buffer.revision(e)} sessionLabel={labels.get(e.session_id) ?? e.session_id} /> : null;
            }}
            rowKey={(i) => feed.buffer.at(i)?.id ?? `missing-${i}`}
            label="Live event feed"
            header={HEADER}
          />
        )}
        {detail && <Detail e={detail} onClose={() => setDetailId(null)} />}
      </div>
    </div>
  );
}

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
}
