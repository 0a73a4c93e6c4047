import type { ComponentChildren } from 'preact';
import type { SortDir } from '../../src/core/contracts/api';
import { useApp } from './appContext';

export function Metric(p: { label: string; value: string; sub?: ComponentChildren; title?: string; testId?: string }) {
  return (
    <div class="metric" data-testid={p.testId}>
      <div class="metric-label">{p.label}</div>
      <div class="metric-value" title={p.title}>
        {p.value}
      </div>
      {p.sub !== undefined && <div class="metric-sub">{p.sub}</div>}
    </div>
  );
}

export function ErrorNote(p: { error: string | null; what: string }) {
  if (!p.error) return null;
  return (
    <p class="error-note" role="alert">
      Could not load {p.what}: {p.error}
    </p>
  );
}

export function Loading(p: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {p.what}…
    </p>
  );
}

export function StatusBadge(p: { status: string | null }) {
  if (!p.status) return null;
  return <span class={`badge badge-${p.status}`}>{p.status}</span>;
}

/** Tokens of unpriced models; `compact` shows only the word, the count in its title (narrow table cells). */
export function UnpricedNote(p: { tokens: number | undefined; format: (n: number) => string; compact?: boolean }) {
  if (!p.tokens) return null;
  const what = 'Tokens of models without a known price: counted in tokens, not in cost';
  return (
    <span class="badge badge-unpriced" title={p.compact ? `${p.format(p.tokens)} unpriced tokens. ${what}` : what}>
      {p.compact ? 'unpriced' : `unpriced: ${p.format(p.tokens)} tokens`}
    </span>
  );
}

/** A section; `level` 1 for the one section that heads its view. */
export function Section(p: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string; level?: 1 | 2 }) {
  const H = p.level === 1 ? 'h1' : 'h2';
  return (
    <section class="section" aria-labelledby={p.id ? `${p.id}-h` : undefined}>
      <div class="section-head">
        <H id={p.id ? `${p.id}-h` : undefined}>{p.title}</H>
        {p.actions && <div class="section-actions">{p.actions}</div>}
      </div>
      {p.children}
    </section>
  );
}

export interface SortState<K extends string> {
  key: K;
  dir: SortDir;
}

/** A sortable column header: a button in the `th` (Enter and Space sort), `aria-sort` on the sorted one. */
export function SortTh<K extends string>(p: { label: string; sortKey: K; sort: SortState<K>; onSort(key: K): void; class?: string }) {
  const active = p.sort.key === p.sortKey;
  return (
    <th scope="col" class={p.class} aria-sort={active ? (p.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined} data-sort={p.sortKey}>
      <button type="button" class="th-sort" onClick={() => p.onSort(p.sortKey)}>
        {p.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? (p.sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

/** What to do when nothing has been recorded yet: how to connect an agent. */
export function ConnectAgents() {
  const app = useApp();
  const url = app.initial.server_url ?? 'http://127.0.0.1:3142';
  const curl = `curl -X POST ${url}/api/events -H 'Content-Type: application/json' -d '{"session_id":"s1","agent_type":"my-agent","event_type":"session_start"}'`;
  return (
    <div class="empty-state" data-testid="empty-state">
      <h2>No agent activity yet</h2>
      <p>AgentMonitor listens on {url}. Connect an agent:</p>
      <ul>
        <li>
          <strong>Claude Code</strong> — install the hooks: <code>agentmonitor hooks install</code> (or the "Install Claude Code Hooks" command in VS Code). For tokens
          and cost also enable telemetry: <code>CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_LOGS_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/json OTEL_EXPORTER_OTLP_ENDPOINT={url}/api/otel</code>
        </li>
        <li>
          <strong>Codex</strong> — in <code>~/.codex/config.toml</code>: <code>[otel] exporter = {'{'} otlp-http = {'{'} endpoint = "{url}/api/otel/v1/logs", protocol = "json" {'}'} {'}'}</code>
        </li>
        <li>
          <strong>Past sessions</strong> — import the logs: <code>agentmonitor import</code>
        </li>
        <li>
          <strong>Any agent</strong> — POST events: <code>{curl}</code>
        </li>
        <li>
          <strong>Just looking?</strong> — fill a demo database: <code>agentmonitor demo --live</code>
        </li>
      </ul>
    </div>
  );
}
