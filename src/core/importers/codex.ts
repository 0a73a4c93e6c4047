/**
 * Codex rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, `archived_sessions/`) → events.
 * The traps of FORMATS.md:
 * - The model lives in `turn_context`; usage is the delta of `info.total_token_usage`, and a
 *   token_count whose totals did not change is skipped (trap 4); `info: null` carries only rate
 *   limits.
 * - Cached input is inside input (trap 3): `tokens_in` = input − cached, `cache_read_tokens` = cached.
 * - Forks (trap 5): a rollout whose `session_meta` names a parent (`forked_from_id`, or a second
 *   `session_meta` of another id) first replays the parent's history in one burst; that history
 *   only moves the running-total baseline. The burst ends at the first gap of more than
 *   `REPLAY_GAP_MS` between lines.
 * Identity of a response: `llmRequestEventId('codex', codexResponseKey(sessionId, n))`, n = the
 * ordinal of the usage-bearing response in this conversation (replayed history not counted).
 * A tool call's output (`function_call_output`, or `aggregated_output` of an `item_completed`
 * CommandExecution) completes its `tool_use` event with its head (`metadata.output`).
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, codexResponseKey, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { toolOutcome } from './codexToolOutcome';
import { PendingTools } from './pendingTools';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, TOOL_OUTPUT_MAX, toolOutputFields, type LogParser, type SkippedLine } from './types';

const AGENT = 'codex';
/** Payload types that carry what we import; other lines (reasoning, messages…) are not parsed. */
const WANTED_PAYLOADS = new Set([
  'token_count',
  'user_message',
  'context_compacted',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'web_search_call',
  'item_completed',
  'agent_message',
  'task_complete',
  'turn_aborted',
]);
/** Tool items of `item_completed` (Codex 0.16x) whose id is the call id, with start and end times. */
const TOOL_ITEMS = new Set(['CommandExecution', 'McpToolCall', 'FileChange', 'WebSearch']);
export const REPLAY_GAP_MS = 1000;

interface Totals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

interface CodexState {
  v: 1;
  sessionId: string | null;
  cwd: string | null;
  branch: string | null;
  model: string | null;
  totals: Totals | null;
  n: number;
  prompts: number;
  compactions: number;
  replay: boolean;
  ownTurns: boolean;
  lastTs: number;
  started: boolean;
  tools: [string, number, string][];
  /**
   * Where prompts and answers come from: `event_msg` user_message/agent_message (older versions)
   * or `item_completed` UserMessage/AgentMessage (0.16x); the first seen wins, so a version that
   * writes both counts each once.
   */
  messagesVia?: 'event_msg' | 'item';
  /** No user answers this thread: a `codex exec` run or a spawned subagent's thread. */
  unattended?: boolean;
}

function readTotals(u: unknown): Totals | null {
  if (!isObj(u)) return null;
  return {
    input: num(u.input_tokens),
    cached: num(u.cached_input_tokens),
    output: num(u.output_tokens),
    reasoning: num(u.reasoning_output_tokens),
  };
}

function sameTotals(a: Totals, b: Totals): boolean {
  return a.input === b.input && a.cached === b.cached && a.output === b.output && a.reasoning === b.reasoning;
}

/** Session id from a rollout file name (`rollout-<time>-<uuid>.jsonl`). */
export function codexFileSessionId(filePath: string): string | undefined {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(filePath);
  return m ? m[1] : undefined;
}

export class CodexParser implements LogParser {
  private out: EventInputRaw[] = [];
  private skipped: SkippedLine[] = [];
  private s: CodexState;
  private readonly tools: PendingTools;
  private rateLimit: { rl: Record<string, unknown>; iso: string | undefined; sessionId: string } | null = null;
  /** Calls an `item_completed` completed, whose `function_call_output` adds nothing. */
  private readonly completedByItem = new Set<string>();

  constructor(private readonly path: string, state?: unknown) {
    const prev = state as CodexState | undefined;
    this.s =
      prev && prev.v === 1
        ? { ...prev }
        : {
            v: 1,
            sessionId: null,
            cwd: null,
            branch: null,
            model: null,
            totals: null,
            n: 0,
            prompts: 0,
            compactions: 0,
            replay: false,
            ownTurns: false,
            lastTs: 0,
            started: false,
            tools: [],
          };
    this.tools = new PendingTools(this.s.tools);
  }

  line(text: string, lineNo: number): void {
    const t = text.trim();
    if (!t) return;
    if (t[0] !== '{' || t[t.length - 1] !== '}') {
      this.skipped.push({ line: lineNo, reason: 'malformed line (not a JSON object)' });
      return;
    }
    const head = t.length > 200 ? t.slice(0, 200) : t;
    const tsFast = head.startsWith('{"timestamp":"') ? Date.parse(head.slice(14, head.indexOf('"', 14))) : NaN;
    if (Number.isFinite(tsFast)) this.tick(tsFast);
    const pt = head.indexOf('"payload":{"type":"');
    if (pt >= 0) {
      const kind = head.slice(pt + 19, head.indexOf('"', pt + 19));
      if (kind && !WANTED_PAYLOADS.has(kind)) return;
    }
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      this.skipped.push({ line: lineNo, reason: `malformed JSON (${(e as Error).message.slice(0, 80)})` });
      return;
    }
    if (!isObj(o)) return;
    const ts = str(o.timestamp);
    const at = ts ? Date.parse(ts) : NaN;
    if (!Number.isFinite(tsFast) && Number.isFinite(at)) this.tick(at);
    const p = isObj(o.payload) ? o.payload : null;
    const iso = Number.isFinite(at) ? ts : undefined;
    if (!this.s.sessionId && o.type !== 'session_meta' && o.type !== 'turn_context') {
      // A rollout without its session_meta line (cut, or written by another tool): the file name
      // names the session.
      this.s.sessionId = codexFileSessionId(this.path) ?? null;
      if (!this.s.sessionId) {
        this.skipped.push({ line: lineNo, reason: 'no session_meta line before it and no session id in the file name' });
        return;
      }
    }
    switch (o.type) {
      case 'session_meta':
        if (p) this.sessionMeta(p, iso);
        return;
      case 'turn_context':
        if (p) {
          this.s.model = str(p.model) ?? this.s.model;
          this.s.cwd = str(p.cwd) ?? this.s.cwd;
        }
        return;
      case 'event_msg':
        if (p) this.eventMsg(p, iso, lineNo);
        return;
      case 'response_item':
        if (p) this.responseItem(p, iso, at, lineNo);
        return;
      case 'compacted':
        this.compaction(iso, 'compacted');
        return;
      default:
        return;
    }
  }

  private tick(at: number): void {
    if (this.s.replay && this.s.lastTs && at - this.s.lastTs > REPLAY_GAP_MS) this.s.replay = false;
    this.s.lastTs = at;
  }

  private base(iso: string | undefined): Omit<EventInputRaw, 'event_type'> | null {
    if (!this.s.sessionId) return null;
    return {
      session_id: this.s.sessionId,
      agent_type: AGENT,
      source: 'import',
      client_timestamp: iso,
      project: this.s.cwd ?? undefined,
      branch: this.s.branch ?? undefined,
    };
  }

  private sessionMeta(p: Record<string, unknown>, iso: string | undefined): void {
    const id = str(p.id) ?? str(p.session_id) ?? str(p.thread_id);
    if (!this.s.sessionId) {
      this.s.sessionId = id ?? codexFileSessionId(this.path) ?? null;
      this.s.cwd = str(p.cwd) ?? null;
      const git = isObj(p.git) ? p.git : {};
      this.s.branch = str(git.branch) ?? null;
      const forkedFrom = str(p.forked_from_id);
      const src = isObj(p.source) ? p.source : null;
      const spawn = src && isObj(src.subagent) && isObj(src.subagent.thread_spawn) ? src.subagent.thread_spawn : null;
      const parent = spawn ? str(spawn.parent_thread_id) : undefined;
      if (forkedFrom || parent) this.s.replay = true;
      this.s.unattended = p.source === 'exec' || p.originator === 'codex_exec' || !!parent;
      const base = this.base(iso);
      if (base && !this.s.started) {
        this.s.started = true;
        this.out.push(eventOf(base, 'session_start', {
          event_id: channelEventId('session_start', AGENT, base.session_id, 'rollout'),
          metadata: {
            transcript_path: this.path,
            cli_version: str(p.cli_version),
            originator: str(p.originator),
            forked_from_id: forkedFrom,
            parent_session_id: parent,
          },
        }));
      }
      return;
    }
    if (id && id !== this.s.sessionId && !this.s.ownTurns) this.s.replay = true;
  }

  private eventMsg(p: Record<string, unknown>, iso: string | undefined, lineNo: number): void {
    switch (p.type) {
      case 'token_count':
        this.tokenCount(p, iso);
        return;
      case 'user_message':
        this.message('user', 'event_msg', p.message, iso, undefined);
        return;
      case 'agent_message':
        this.message('assistant', 'event_msg', p.message, iso, undefined);
        return;
      case 'item_completed':
        this.itemCompleted(p, iso);
        return;
      case 'context_compacted':
        this.compaction(iso, 'context_compacted');
        return;
      case 'task_complete':
      case 'turn_aborted':
        this.turnEnd(p, iso, p.type === 'turn_aborted');
        return;
      default:
        void lineNo;
        return;
    }
  }

  /**
   * The turn is over (`task_complete`) or was interrupted (`turn_aborted`): a `stop`, with the id
   * Codex's Stop / Interrupt hook gets (`channelEventId('stop' | 'interrupt', …, turn_id)`), so the
   * two channels store it once. It makes an interactive session wait for input; a thread no user
   * answers (`unattended`) ends its run instead.
   */
  private turnEnd(p: Record<string, unknown>, iso: string | undefined, aborted: boolean): void {
    if (this.s.replay) return;
    const base = this.base(iso);
    if (!base) return;
    const turn = str(p.turn_id) ?? `prompt-${this.s.prompts}`;
    this.out.push(eventOf(base, 'stop', {
      event_id: channelEventId(aborted ? 'interrupt' : 'stop', AGENT, base.session_id, turn),
      metadata: {
        turn_id: str(p.turn_id),
        reason: aborted ? (str(p.reason) ?? 'interrupt') : undefined,
        last_assistant_message: aborted ? undefined : clip(p.last_agent_message, ANSWER_TEXT_MAX),
        unattended: this.s.unattended ? true : undefined,
      },
    }));
  }

  /** A prompt (`user`) or an answer (`assistant`) from whichever source this file uses. */
  private message(role: 'user' | 'assistant', via: 'event_msg' | 'item', text: unknown, iso: string | undefined, itemId: string | undefined): void {
    if (this.s.replay) return;
    if ((this.s.messagesVia ??= via) !== via) return;
    const base = this.base(iso);
    if (!base) return;
    if (role === 'user') {
      this.s.ownTurns = true;
      this.s.prompts++;
      this.out.push(eventOf(base, 'user_prompt', {
        event_id: channelEventId('prompt', AGENT, base.session_id, String(this.s.prompts)),
        metadata: { prompt: clip(text, 2000) },
      }));
    } else {
      const n = itemId ?? `${this.s.prompts}-${this.s.n}`;
      this.out.push(eventOf(base, 'response', {
        event_id: channelEventId('response', AGENT, base.session_id, n),
        model: this.s.model ?? undefined,
        metadata: { text: clip(text, ANSWER_TEXT_MAX) },
      }));
    }
  }

  private itemCompleted(p: Record<string, unknown>, iso: string | undefined): void {
    const item = isObj(p.item) ? p.item : null;
    if (!item) return;
    const kind = str(item.type);
    if (kind === 'UserMessage' || kind === 'AgentMessage') {
      this.message(kind === 'UserMessage' ? 'user' : 'assistant', 'item', itemText(item.content), iso, str(item.id));
      return;
    }
    const id = str(item.id);
    if (!kind || !TOOL_ITEMS.has(kind) || !id || this.s.replay) return;
    const start = typeof p.started_at_ms === 'number' ? p.started_at_ms : NaN;
    const end = typeof p.completed_at_ms === 'number' ? p.completed_at_ms : NaN;
    const failed = item.status === 'failed' || (typeof item.exit_code === 'number' && item.exit_code !== 0);
    const duration = Number.isFinite(start) && Number.isFinite(end) && end >= start ? end - start : undefined;
    const base = this.base(iso);
    if (!base) return;
    const output = toolOutputFields(typeof item.aggregated_output === 'string' ? item.aggregated_output : undefined);
    const done = this.tools.complete(id, Number.isFinite(end) ? end : NaN, failed ? 'error' : 'success', duration, output.output ? output : undefined);
    this.completedByItem.add(id);
    if (this.completedByItem.size > 1000) this.completedByItem.clear();
    if (done?.name) {
      this.out.push(eventOf(base, 'tool_use', {
        event_id: toolEventId(AGENT, id),
        tool_name: done.name,
        status: failed ? 'error' : 'success',
        duration_ms: done.duration,
        metadata: output.output ? output : undefined,
      }));
    }
  }

  private tokenCount(p: Record<string, unknown>, iso: string | undefined): void {
    if (!this.s.replay && isObj(p.rate_limits)) this.noteRateLimits(p.rate_limits, iso);
    const info = p.info;
    if (!isObj(info)) return;
    const total = readTotals(info.total_token_usage);
    const last = readTotals(info.last_token_usage);
    let delta: Totals | null;
    if (total) {
      const prev = this.s.totals;
      if (prev && sameTotals(prev, total)) return;
      if (!prev) delta = total;
      else {
        delta = { input: total.input - prev.input, cached: total.cached - prev.cached, output: total.output - prev.output, reasoning: total.reasoning - prev.reasoning };
        if (delta.input < 0 || delta.cached < 0 || delta.output < 0 || delta.reasoning < 0) delta = last ?? total;
      }
      this.s.totals = total;
    } else delta = last;
    if (!delta || this.s.replay) return;
    const base = this.base(iso);
    if (!base) return;
    if (delta.input + delta.cached + delta.output + delta.reasoning === 0) return;
    this.s.n++;
    const cached = Math.min(delta.cached, delta.input);
    this.out.push(eventOf(base, 'llm_request', {
      event_id: llmRequestEventId(AGENT, codexResponseKey(base.session_id, this.s.n)),
      model: this.s.model ?? str(info.model) ?? undefined,
      tokens_in: delta.input - cached,
      cache_read_tokens: cached,
      tokens_out: delta.output,
      reasoning_tokens: Math.min(delta.reasoning, delta.output),
      status: 'success',
      // The window Codex fills (its model's, less what it keeps back): how full the context is.
      metadata: num(info.model_context_window) > 0 ? { context_window: num(info.model_context_window) } : undefined,
    }));
  }

  private noteRateLimits(rl: Record<string, unknown>, iso: string | undefined): void {
    if (this.s.sessionId) this.rateLimit = { rl, iso, sessionId: this.s.sessionId };
  }

  /** The latest rate limits seen in this pass as one `rate_limit` event (the monitor keeps the latest). */
  private rateLimitEvent(): EventInputRaw | null {
    if (!this.rateLimit) return null;
    const { rl, iso } = this.rateLimit;
    const base = this.base(iso);
    if (!base) return null;
    const at = iso ? Date.parse(iso) : Date.now();
    const limits: Record<string, unknown>[] = [];
    for (const window of ['primary', 'secondary']) {
      const w = rl[window];
      if (!isObj(w) || typeof w.used_percent !== 'number') continue;
      let resets: string | undefined;
      if (typeof w.resets_at === 'number') resets = new Date(w.resets_at < 1e12 ? w.resets_at * 1000 : w.resets_at).toISOString();
      else if (typeof w.resets_at === 'string') resets = w.resets_at;
      else if (typeof w.resets_in_seconds === 'number') resets = new Date(at + w.resets_in_seconds * 1000).toISOString();
      limits.push({ window, used_percent: w.used_percent, window_minutes: typeof w.window_minutes === 'number' ? w.window_minutes : null, resets_at: resets ?? null });
    }
    if (!limits.length) return null;
    return eventOf(base, 'rate_limit', {
      event_id: channelEventId('rate_limit', AGENT, base.session_id, iso ?? String(this.s.n)),
      metadata: { rate_limits: limits },
    });
  }

  private responseItem(p: Record<string, unknown>, iso: string | undefined, at: number, lineNo: number): void {
    if (this.s.replay) return;
    const base = this.base(iso);
    if (!base) return;
    const type = p.type;
    if (type === 'function_call' || type === 'custom_tool_call') {
      const id = str(p.call_id);
      if (!id || this.tools.hasEvent(id)) return;
      const name = str(p.name) ?? 'unknown';
      const event: EventInputRaw = eventOf(base, 'tool_use', {
        event_id: toolEventId(AGENT, id),
        tool_name: name,
        status: 'running',
        metadata: { call_id: id, input: clip(typeof p.arguments === 'string' ? p.arguments : p.input, 300) },
      });
      this.out.push(event);
      this.tools.remember(id, at, name, event);
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const id = str(p.call_id);
      if (!id || this.completedByItem.has(id)) return;
      const { status, durationMs } = toolOutcome(p.output);
      const text = outputText(p.output);
      const output = toolOutputFields(text?.text, text?.chars);
      const done = this.tools.complete(id, at, status, durationMs, output.output ? output : undefined);
      if (done) {
        this.out.push(eventOf(base, 'tool_use', {
          event_id: toolEventId(AGENT, id),
          tool_name: done.name,
          status,
          duration_ms: done.duration,
          metadata: output.output ? output : undefined,
        }));
      }
    } else if (type === 'web_search_call') {
      const id = str(p.id) ?? `web-search-${base.session_id}-${lineNo}`;
      this.out.push(eventOf(base, 'tool_use', {
        event_id: toolEventId(AGENT, id),
        tool_name: 'web_search',
        status: p.status === 'failed' ? 'error' : 'success',
      }));
    }
  }

  private compaction(iso: string | undefined, kind: string): void {
    if (this.s.replay) return;
    const base = this.base(iso);
    if (!base) return;
    this.s.compactions++;
    this.out.push(eventOf(base, 'compaction', {
      event_id: channelEventId('compaction', AGENT, base.session_id, String(this.s.compactions)),
      metadata: { kind },
    }));
  }

  drain(_final: boolean): EventInputRaw[] {
    const out = this.out;
    const rl = this.rateLimitEvent();
    if (rl) out.push(rl);
    this.rateLimit = null;
    this.out = [];
    this.tools.detachEvents();
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.skipped;
    this.skipped = [];
    return s;
  }

  state(): CodexState {
    return { ...this.s, tools: this.tools.toJSON() };
  }
}

/**
 * The text of a tool call's output: `{"output": "...", "metadata": {...}}` gives its `output`; the
 * unified exec header of Codex ≥ 0.16x (`Chunk ID: …` up to `Output:`) is left out.
 */
function outputText(output: unknown): { text: string; chars: number } | undefined {
  if (typeof output !== 'string') return isObj(output) && typeof output.output === 'string' ? { text: output.output, chars: output.output.length } : undefined;
  if (output.startsWith('{"output":"')) {
    // Only the head is kept, so only the head of the escaped text is decoded: it ends before the
    // last `","metadata":` (unescaped quotes can only be the envelope's own), cut before a
    // backslash that could start an escape sequence the cut would split.
    const end = output.lastIndexOf('","metadata":');
    if (end > 0) {
      const limit = Math.min(end, 11 + TOOL_OUTPUT_MAX * 2);
      let cut = limit;
      for (let i = limit - 1; limit < end && i >= Math.max(11, limit - 6); i--) {
        if (output[i] !== '\\') continue;
        let j = i;
        while (j > 11 && output[j - 1] === '\\') j--;
        // An odd run: output[i] starts an escape (`\uXXXX` or two characters); drop it if cut.
        if ((i - j) % 2 === 0 && i + (output[i + 1] === 'u' ? 6 : 2) > limit) cut = i;
        break;
      }
      try {
        const text = JSON.parse(`"${output.slice(11, cut)}"`) as string;
        // Cut: the whole length counts each escape sequence as the one character it stands for.
        return { text, chars: cut === end ? text.length : text.length + escapedLength(output, cut, end) };
      } catch {
        /* not the shape we know: the text as it is */
      }
    }
  }
  if (output.startsWith('Chunk ID:')) {
    const at = output.indexOf('\nOutput:\n');
    if (at >= 0 && at < 400) return { text: output.slice(at + 9), chars: output.length - at - 9 };
  }
  return { text: output, chars: output.length };
}

/** How many characters the JSON string text `s[from, to)` stands for. */
function escapedLength(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++, n++) {
    if (s.charCodeAt(i) === 92) i += s.charCodeAt(i + 1) === 117 ? 5 : 1;
  }
  return n;
}

/** The text of an `item_completed` message's content (`[{type: "Text", text}]`). */
function itemText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter(isObj).map((c) => str(c.text)).filter((t): t is string => !!t);
  return texts.length ? texts.join('\n') : undefined;
}
