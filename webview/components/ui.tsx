import type { ComponentChildren } from 'preact';
import { logAgentNames } from '../../src/core/contracts/agents';
import { connectAgentSnippets } from '../../src/core/setup/snippets';
import type { SortState } from '../lib/tableSort';
import { VSCODE_COMMANDS, VSCODE_SETTINGS } from '../lib/vscodeHost';
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

export type { SortState };

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

/** A command of the extension, as the Command Palette shows it. */
function PaletteCommand(p: { c: { id: string; title: string } }) {
  return (
    <kbd class="palette-command" data-command={p.c.id}>
      {p.c.title}
    </kbd>
  );
}

/**
 * What to do when nothing has been recorded yet: how to connect an agent. In VS Code the
 * extension's commands and settings, not the `agentmonitor` CLI (not on the user's PATH there);
 * the URL follows the server the host reports (a port change), not only the one the page loaded with.
 */
export function ConnectAgents() {
  const app = useApp();
  const url = app.ds.serverUrl?.value ?? app.initial.server_url ?? 'http://127.0.0.1:3142';
  const snippets = connectAgentSnippets(url);
  const inVscode = app.initial.host === 'vscode';
  const C = VSCODE_COMMANDS;
  return (
    <div class="empty-state" data-testid="empty-state">
      <h2>No agent activity yet</h2>
      <p>
        AgentMonitor listens on <code data-testid="server-url">{url}</code>. Connect an agent:
      </p>
      <ul>
        <li>
          <strong>Claude Code</strong> — install the hooks:{' '}
          {inVscode ? (
            <>
              run <PaletteCommand c={C.installClaudeHooks} /> from the Command Palette
            </>
          ) : (
            <code>{snippets.hooksInstall}</code>
          )}
          . For tokens and cost also enable telemetry, in your shell profile or the <code>env</code> of <code>~/.claude/settings.json</code>:
          <pre>{snippets.claudeTelemetry}</pre>
        </li>
        <li>
          <strong>Codex</strong> —{' '}
          {inVscode ? (
            <>
              run <PaletteCommand c={C.configureCodexTelemetry} />; it adds this to <code>{snippets.codexConfigFile}</code>:
            </>
          ) : (
            <>
              in <code>{snippets.codexConfigFile}</code>:
            </>
          )}
          <pre>{snippets.codexTelemetry}</pre>
        </li>
        <li>
          <strong>Gemini CLI</strong> — for each call as it is made, in <code>{snippets.geminiSettingsFile}</code>:
          <pre>{snippets.geminiTelemetry}</pre>
        </li>
        <li>
          <strong>Copilot CLI</strong> — for each call as it is made, in your shell profile:
          <pre>{snippets.copilotTelemetry}</pre>
        </li>
        {!inVscode && (
          <li>
            <strong>Logs</strong> — {logAgentNames()} sessions show up as their logs are written, while the server runs.
          </li>
        )}
        <li>
          <strong>Past sessions</strong> — import the logs:{' '}
          {inVscode ? (
            <>
              <PaletteCommand c={C.importAllLogs} /> (or <PaletteCommand c={C.importWorkspaceLogs} /> for this workspace's projects)
            </>
          ) : (
            <code>{snippets.importLogs}</code>
          )}
        </li>
        <li>
          <strong>Any agent</strong> — POST events: <code>{snippets.postEvent}</code>
        </li>
        {!inVscode && (
          <li>
            <strong>Just looking?</strong> — fill a demo database: <code>{snippets.demo}</code>
          </li>
        )}
      </ul>
      {inVscode && (
        <p class="muted">
          While the setting <code>{VSCODE_SETTINGS.watchLogs}</code> is on, new {logAgentNames()} sessions show up without hooks. The server's port is the setting{' '}
          <code>{VSCODE_SETTINGS.port}</code>.
        </p>
      )}
    </div>
  );
}
