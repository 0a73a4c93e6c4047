import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { TranscriptEntry } from '../../src/core/contracts/api';
import { agentName } from '../../src/core/contracts/agents';
import { contextPercent } from '../../src/core/contracts/contextWindow';
import { useApp } from '../components/appContext';
import { Chart } from '../components/Chart';
import { TokenCells, TokenHeaderCells } from '../components/tokenCells';
import { useApi } from '../components/useApi';
import { Markdown } from '../components/Markdown';
import { ErrorNote, Loading, Metric, Section, StatusBadge, UnpricedNote } from '../components/ui';
import { ApiRequestError } from '../data/dataSource';
import { routeHash } from '../data/appState';
import { formatDateTime, formatDuration, formatInt, formatPercent, formatTime, formatTokens, formatUsd, shortId, totalTokens } from '../lib/format';
import { sessionDurationMs } from './Sessions';
import { turnTotals, type TurnTotals } from '../lib/turns';
import { transcriptTree } from '../lib/transcriptTree';

const TRANSCRIPT_PAGE = 300;
/** Pages loaded at most to reach the entry a link names (a search hit); past them, Load more. */
const MAX_PAGES_TO_HIT = 20;
const LONG_TEXT = 1500;

/** An entry's text; an answer's as markdown (rendered safely, `components/Markdown.tsx`). Long text is folded. */
function Text(p: { text: string | null; markdown?: boolean }) {
  if (!p.text) return null;
  const full = p.markdown ? (
    <div class="tx-text tx-md">
      <Markdown text={p.text} />
    </div>
  ) : (
    <div class="tx-text">{p.text}</div>
  );
  if (p.text.length <= LONG_TEXT) return full;
  return (
    <details class="tx-long">
      <summary>
        <span class="tx-text">{p.text.slice(0, LONG_TEXT)}…</span> <span class="muted">(show all {formatInt(p.text.length)} characters)</span>
      </summary>
      {full}
    </details>
  );
}

/** A tool call's output, folded under the call: its first line in the summary, the stored head inside. */
function ToolOutput(p: { text: string; total: number | null }) {
  const lines = p.text.split('\n');
  const first = lines.find((l) => l.trim()) ?? '';
  return (
    <details class="tx-output" data-testid="tool-output">
      <summary>
        Output <span class="muted">{first.length > 120 ? `${first.slice(0, 120)}…` : first}</span>{' '}
        <span class="muted">
          ({formatInt(lines.length)} {lines.length === 1 ? 'line' : 'lines'}
          {p.total !== null && p.total > p.text.length ? `; first ${formatInt(p.text.length)} of ${formatInt(p.total)} characters kept` : ''})
        </span>
      </summary>
      <pre class="tx-output-text">{p.text}</pre>
    </details>
  );
}

/** Copilot's nano AI units as AI units, to the precision that shows. */
export function formatAiu(nano: number): string {
  const aiu = nano / 1e9;
  return aiu === 0 ? '0' : aiu >= 100 ? aiu.toFixed(0) : aiu >= 1 ? aiu.toFixed(2) : aiu.toPrecision(2);
}

const KIND_LABEL: Record<TranscriptEntry['kind'], string> = {
  prompt: 'Prompt',
  answer: 'Answer',
  tool: 'Tool',
  subagent: 'Subagent',
  compaction: 'Compaction',
  lifecycle: 'Session',
  error: 'Error',
  other: 'Event',
};

function Entry(p: { e: TranscriptEntry; hit: boolean; turn?: TurnTotals; sub?: { agent: string; children: TranscriptEntry[]; hit: number | null; turns: Map<number, TurnTotals> } }) {
  const e = p.e;
  const child = typeof e.detail?.child_session_id === 'string' ? e.detail.child_session_id : null;
  // A subagent's entry: from its own session (Codex), or in this one marked with its agent id (Claude Code).
  // The output shown above is not repeated in the details.
  const details = e.detail && typeof e.detail.output === 'string' ? Object.fromEntries(Object.entries(e.detail).filter(([k]) => k !== 'output' && k !== 'output_chars')) : e.detail;
  const inSubagent =
    typeof e.detail?.session_id === 'string' ? e.detail.session_id : e.kind !== 'subagent' && typeof e.detail?.agent_id === 'string' ? e.detail.agent_id : null;
  return (
    <li
      class={`tx tx-${e.kind}${p.hit ? ' tx-hit' : ''}`}
      data-kind={e.kind}
      data-testid="transcript-entry"
      data-entry-id={e.id}
      aria-current={p.hit ? 'true' : undefined}
      tabIndex={p.hit ? -1 : undefined}
    >
      <div class="tx-head">
        <span class="tx-kind">{e.event_type === 'llm_request' ? 'Model call' : KIND_LABEL[e.kind]}</span>
        {e.tool_name && <span class="tx-tool">{e.tool_name}</span>}
        <StatusBadge status={e.status} />
        {e.duration_ms !== null && <span class="muted">{formatDuration(e.duration_ms)}</span>}
        {e.model && <span class="muted">{e.model}</span>}
        {(e.tokens_in > 0 || e.tokens_out > 0) && (
          <span class="muted">
            {formatTokens(e.tokens_in)} in · {formatTokens(e.tokens_out)} out
          </span>
        )}
        {e.cost_usd !== null && e.cost_usd > 0 && <span class="muted">{formatUsd(e.cost_usd)}</span>}
        {e.detail?.approximate === true && (
          <span
            class="badge"
            data-testid="approximate-usage"
            title="Copilot Chat's session files give one prompt and one output count per request: no cache split, and a request that made several model calls (agent mode's tool rounds) is under-counted. Exact per-call figures need Copilot Chat's own OpenTelemetry export, which AgentMonitor does not read yet."
          >
            approximate
          </span>
        )}
        {typeof e.detail?.agent_cost_usd === 'number' && (
          <span class="muted" data-testid="agent-cost" title="What the agent itself computed for this call (its configured prices); AgentMonitor's price is the one counted">
            agent's own figure {formatUsd(e.detail.agent_cost_usd)}
          </span>
        )}
        {typeof e.detail?.copilot_total_nano_aiu === 'number' && (
          <span class="muted" data-testid="agent-cost" title="Copilot's own cost of the session so far, in its AI units (a nano-AIU count it keeps); AgentMonitor's price is the one counted">
            Copilot's own figure, session so far: {formatAiu(e.detail.copilot_total_nano_aiu)} AI units
          </span>
        )}
        {inSubagent && <span class="badge badge-subagent" data-testid="subagent-badge">subagent {shortId(inSubagent, 10)}</span>}
        {p.turn && p.turn.calls > 0 && (
          <span class="muted" data-testid="turn-total" title="This turn: the prompt and everything until the next one">
            turn: {formatInt(p.turn.calls)} model {p.turn.calls === 1 ? 'call' : 'calls'} · {formatTokens(p.turn.tokens)} tokens · {formatUsd(p.turn.cost_usd)}
          </span>
        )}
        <span class="tx-time muted">{formatTime(e.at)}</span>
      </div>
      {typeof e.detail?.thinking === 'string' && e.detail.thinking && (
        <details class="tx-thinking" data-testid="transcript-thinking">
          <summary>Thinking</summary>
          <div class="tx-text">{e.detail.thinking}</div>
        </details>
      )}
      <Text text={e.text} markdown={e.kind === 'answer'} />
      {child && (
        <a href={routeHash({ view: 'sessions', sessionId: child })} class="tx-link">
          Open subagent session {child}
        </a>
      )}
      {e.output && <ToolOutput text={e.output} total={typeof e.detail?.output_chars === 'number' ? e.detail.output_chars : null} />}
      {e.kind === 'tool' && details && Object.keys(details).length > 0 && (
        <details class="tx-detail">
          <summary>Details</summary>
          <pre class="json">{JSON.stringify(details, null, 2)}</pre>
        </details>
      )}
      {p.sub && p.sub.children.length > 0 && <SubagentTurns {...p.sub} />}
    </li>
  );
}

/** A subagent's turns under the call that ran it: folded, opened when a link names one of them. */
function SubagentTurns(p: { children: TranscriptEntry[]; hit: number | null; turns: Map<number, TurnTotals>; agent: string }) {
  const hasHit = p.hit !== null && p.children.some((c) => c.id === p.hit);
  const calls = p.children.filter((c) => c.event_type === 'llm_request').length;
  return (
    <details class="tx-sub" data-testid="subagent-turns" open={hasHit || undefined}>
      <summary>
        Subagent {shortId(p.agent, 10)}: {formatInt(p.children.length)} {p.children.length === 1 ? 'entry' : 'entries'}
        {calls > 0 && `, ${formatInt(calls)} model ${calls === 1 ? 'call' : 'calls'}`}
      </summary>
      <ol class="transcript tx-children">
        {p.children.map((c) => (
          <Entry key={c.id} e={c} hit={c.id === p.hit} turn={p.turns.get(c.id)} />
        ))}
      </ol>
    </details>
  );
}

/**
 * The entry that shows event `eventId`: itself, or the entry that shows its text when the
 * transcript showed that reply once, on another channel's entry (`detail.text_shown_in`).
 */
export function hitEntryId(entries: TranscriptEntry[], eventId: number | null): number | null {
  if (eventId === null) return null;
  const e = entries.find((x) => x.id === eventId);
  if (!e) return null;
  const shownIn = e.detail?.text_shown_in;
  return typeof shownIn === 'number' && entries.some((x) => x.id === shownIn) ? shownIn : e.id;
}

function Transcript(p: { sessionId: string; eventId: number | null }) {
  const app = useApp();
  const [entries, setEntries] = useState<TranscriptEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [loading, setLoading] = useState(true);
  const [pages, setPages] = useState(0);
  const load = async (more: boolean) => {
    setLoading(true);
    try {
      const page = await app.ds.get('/api/sessions/:id/transcript', { id: p.sessionId, limit: TRANSCRIPT_PAGE, cursor: more ? (cursor ?? undefined) : undefined });
      setEntries((old) => (more ? [...old, ...page.entries] : page.entries));
      setPages((n) => (more ? n + 1 : 1));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      // No such session: the page says so once, from the session's own answer.
      if (e instanceof ApiRequestError && e.status === 404) setMissing(true);
      else setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  useLayoutEffect(() => {
    setEntries([]);
    setMissing(false);
    void load(false);
  }, [p.sessionId]);
  // The whole session's timeline (the server buckets it), not only the entries loaded so far.
  const timeline = useApi('/api/sessions/:id/timeline', { id: p.sessionId });
  const turns = useMemo(() => turnTotals(entries), [entries]);
  const tree = useMemo(() => transcriptTree(entries), [entries]);
  const tl = useMemo(() => {
    const points = timeline.data?.points ?? [];
    return { x: points.map((q) => Date.parse(q.at) / 1000), cost: points.map((q) => q.cost_usd) };
  }, [timeline.data]);
  // A link to an event (a search hit): load pages until its entry is there, then show it.
  const hit = useMemo(() => hitEntryId(entries, p.eventId), [entries, p.eventId]);
  useEffect(() => {
    if (p.eventId === null || hit !== null || loading || !cursor || pages >= MAX_PAGES_TO_HIT) return;
    void load(true);
  }, [p.eventId, hit, loading, cursor, pages]);
  useEffect(() => {
    if (hit === null) return;
    const el = document.querySelector<HTMLElement>(`[data-entry-id="${hit}"]`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  }, [hit]);
  if (missing) return null;
  return (
    <>
      {tl.x.length > 1 && (
        <Section title="Timeline" id="timeline">
          <Chart
            kind="line"
            x={tl.x}
            series={[{ label: 'Cumulative cost', values: tl.cost }]}
            label="Cumulative cost over the session"
            formatValue={formatUsd}
            legendIdle="latest"
            testId="session-timeline"
            height={160}
          />
        </Section>
      )}
      <Section title="Transcript" id="transcript">
        <ErrorNote error={error} what="the transcript" />
        {entries.length === 0 && loading && <Loading what="the transcript" />}
        {entries.length === 0 && !loading && !error && <p class="muted">No transcript entries for this session.</p>}
        <ol class="transcript" data-testid="transcript">
          {tree.map((n) => (
            <Entry key={n.entry.id} e={n.entry} hit={n.entry.id === hit} turn={turns.get(n.entry.id)} sub={n.children.length ? { agent: n.agent ?? '', children: n.children, hit, turns } : undefined} />
          ))}
        </ol>
        {cursor && (
          <button type="button" class="btn" disabled={loading} onClick={() => void load(true)}>
            Load more
          </button>
        )}
      </Section>
    </>
  );
}

export function SessionPage(p: { sessionId: string; eventId?: number | null }) {
  const detail = useApi('/api/sessions/:id', { id: p.sessionId });
  const d = detail.data;
  const s = d?.session;
  const notFound = !d && detail.errorStatus === 404;
  const back = (
    <p>
      <a href="#/sessions">← All sessions</a>
    </p>
  );
  if (notFound) {
    return (
      <div class="view-session">
        {back}
        <section class="not-found" data-testid="session-not-found" aria-labelledby="session-missing-h">
          <h1 id="session-missing-h">Session not found</h1>
          <p>
            No session has the id <code>{p.sessionId}</code>. The link may be incomplete, or the session was removed with its data.
          </p>
        </section>
      </div>
    );
  }
  return (
    <div class="view-session">
      {back}
      {!s && (
        <>
          <h1 class="session-title">Session {p.sessionId}</h1>
          <ErrorNote error={detail.error} what="the session" />
          {!detail.error && <Loading what="the session" />}
        </>
      )}
      {s && (
        <>
          <Section title={`${agentName(s.agent_type)} · ${s.project ?? 'no project'}`} id="session-head" level={1}>
            <p class="muted" data-testid="session-id">
              {s.session_id}
              {s.branch ? ` · ${s.branch}` : ''}
              {s.person ? ` · ${s.person}${s.machine ? ` on ${s.machine}` : ''}` : ''} · started {formatDateTime(s.started_at)} · <StatusBadge status={s.status} />
              {s.parent_session_id && (
                <>
                  {' '}
                  · subagent of <a href={routeHash({ view: 'sessions', sessionId: s.parent_session_id })}>{s.parent_session_id}</a>
                </>
              )}
            </p>
            <div class="metrics">
              <Metric label="Cost" value={formatUsd(s.cost_usd)} testId="session-cost" sub={<UnpricedNote tokens={s.unpriced_tokens} format={formatTokens} />} />
              <Metric label="Tokens" value={formatTokens(totalTokens(s))} title={formatInt(totalTokens(s))} sub={`${formatTokens(s.tokens_in)} in · ${formatTokens(s.tokens_out)} out`} />
              <Metric label="Cache" value={formatTokens(s.cache_read_tokens + s.cache_write_tokens)} sub={`${formatTokens(s.cache_read_tokens)} read · ${formatTokens(s.cache_write_tokens)} write`} />
              {s.context_tokens ? (
                <Metric
                  label="Context"
                  testId="session-context"
                  value={s.context_window ? `${contextPercent(s.context_tokens, s.context_window)}%` : formatTokens(s.context_tokens)}
                  sub={s.context_window ? `${formatInt(s.context_tokens)} of ${formatInt(s.context_window)} tokens` : 'tokens; window unknown'}
                />
              ) : null}
              <Metric label="Events" value={formatInt(s.event_count)} />
              <Metric label="Duration" value={formatDuration(sessionDurationMs(s))} />
            </div>
          </Section>
          <Section title="By model" id="session-models">
            {d!.models.length === 0 ? (
              <p class="muted">No model usage recorded.</p>
            ) : (
              <table class="table" data-testid="session-models">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" class="num">Requests</th>
                    <TokenHeaderCells />
                    <th scope="col" class="num">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {d!.models.map((m) => (
                    <tr key={m.model} data-key={m.model}>
                      <td>
                        {m.model} {!m.priced && <span class="badge badge-unpriced">unpriced</span>}
                      </td>
                      <td class="num">{formatInt(m.requests)}</td>
                      <TokenCells t={m} />
                      <td class="num" data-col="cost">
                        {formatUsd(m.cost_usd)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          {d!.tools.length > 0 && (
            <Section title="Tools" id="session-tools">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Tool</th>
                    <th scope="col" class="num">Calls</th>
                    <th scope="col" class="num">Failure rate</th>
                    <th scope="col" class="num">p50</th>
                    <th scope="col" class="num">p95</th>
                  </tr>
                </thead>
                <tbody>
                  {d!.tools.map((t) => (
                    <tr key={t.tool_name}>
                      <td>{t.tool_name}</td>
                      <td class="num">{formatInt(t.calls)}</td>
                      <td class="num">{formatPercent(t.error_rate)}</td>
                      <td class="num">{formatDuration(t.p50_ms)}</td>
                      <td class="num">{formatDuration(t.p95_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          )}
          {d!.children.length > 0 && (
            <Section title="Subagents" id="session-children">
              <ul class="plain">
                {d!.children.map((c) => (
                  <li key={c.session_id} data-key={c.session_id}>
                    <a href={routeHash({ view: 'sessions', sessionId: c.session_id })}>{c.session_id}</a> · {c.model ?? '—'} · {formatUsd(c.cost_usd)} ·{' '}
                    {formatInt(c.event_count)} events
                  </li>
                ))}
              </ul>
            </Section>
          )}
        </>
      )}
      {/* One error for the page: the transcript's own is not shown next to the session's. */}
      {(s || !detail.error) && <Transcript sessionId={p.sessionId} eventId={p.eventId ?? null} />}
    </div>
  );
}
