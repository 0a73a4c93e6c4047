/**
 * GitHub Copilot CLI session logs (`~/.copilot/session-state/<session id>/events.jsonl`, or under
 * `$COPILOT_HOME`) → events. Read from `@github/copilot` 1.0.102 (its `session-events.schema.json`
 * and runs of the real binary); the traps:
 * - One JSON object per line: `{type, data, id, timestamp, parentId, agentId?}`. `agentId` is set
 *   on a sub-agent's events; events marked `ephemeral` (e.g. `assistant.usage`) are never written.
 * - `session.start` (`data.sessionId`, `startTime`, `selectedModel`, `context {cwd, branch,
 *   gitRoot}`); a resumed session appends `session.resume` (with its `context`) to the same file.
 * - Usage per API call: `session.usage_record` (`data.usage`: `model`, `inputTokens`,
 *   `outputTokens`, `cacheReadTokens`, `cacheWriteTokens`, `reasoningTokens`, `apiCallId`,
 *   `accounting {usageId, sequence}`). `inputTokens` INCLUDES the cache reads and the cache writes
 *   (measured: 101 fresh + 4001 read + 301 written = 4403); `outputTokens` includes reasoning.
 * - `session.shutdown` (one per process: a resumed session writes several) carries `modelMetrics`
 *   per model with the session's CUMULATIVE usage since its creation (the second shutdown of a
 *   resumed session counts the first lifetime's calls too) and `totalNanoAiu`, Copilot's own
 *   cumulative cost in nano AI units. Calls are counted from the usage records; a shutdown only
 *   adds what its totals hold beyond what was counted (versions or calls without usage records),
 *   so no call is counted twice however many shutdowns follow.
 * - Tool calls: `tool.execution_start` (`toolCallId`, `toolName`, `arguments`) then
 *   `tool.execution_complete` (`success`, `result.content`, `error.message`).
 * - `user.message` with a `source` is not typed by the user (skill injection, another agent's
 *   prompt); `system.message` is the system prompt.
 * - A sub-agent (the `task` tool) writes into the same file, its events marked with its `agentId`:
 *   `subagent.started` (`toolCallId` = the task call), its prompt (a `user.message` with a source),
 *   its usage records, tool calls and answers, then `subagent.completed` / `subagent.failed`. The
 *   task call's completion names the sub-agent (`metadata.subagent_id`), as Claude Code's does, so
 *   the dashboard nests its turns under the call.
 * - `~/.copilot/session-store.db` (SQLite, WAL) repeats the usage per call
 *   (`assistant_usage_events`) without response ids: `copilotStore.ts` reads it as a stand-in for
 *   sessions whose log gives none of their calls (one source per session, never both).
 * Identity of a call: its session and the provider's response id (`copilotCallKey`).
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, copilotCallKey, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { PendingTools } from './pendingTools';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, toolOutputFields, type EventBase, type LogParser, type SkippedLine } from './types';

export const COPILOT_AGENT = 'copilot-cli';
const AGENT = COPILOT_AGENT;

/** Token counts of one model, as the log reports them (`inputTokens` with the cache inside). */
interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  requests: number;
}

interface CopilotState {
  v: 1;
  sessionId: string | null;
  project?: string;
  branch?: string;
  started: boolean;
  /** Usage counted so far, by model (usage records and shutdown top-ups). */
  counted: Record<string, Usage>;
  tools: [string, number, string][];
  /** Sub-agents by the task call that started them (`MAX_SUBAGENTS` at most, oldest dropped). */
  subagents?: [string, string][];
  /** Copilot's own cumulative cost (nano AI units) as of the last shutdown. */
  nanoAiu?: number;
}

const MAX_MODELS = 200;
const MAX_SUBAGENTS = 200;

/** The session id of a file `session-state/<id>/events.jsonl` (the folder's name). */
export function copilotSessionIdOf(filePath: string): string | null {
  const parts = filePath.split(/[\\/]/);
  return parts.length >= 3 && parts[parts.length - 1] === 'events.jsonl' ? parts[parts.length - 2] || null : null;
}

/** Whether a path is a Copilot CLI session log: `<session id>/events.jsonl`. */
export function isCopilotEventsFile(p: string): boolean {
  return copilotSessionIdOf(p) !== null;
}

function usageOf(u: Record<string, unknown>, requests: number): Usage {
  return {
    input: num(u.inputTokens),
    output: num(u.outputTokens),
    cacheRead: num(u.cacheReadTokens),
    cacheWrite: num(u.cacheWriteTokens),
    reasoning: num(u.reasoningTokens),
    requests,
  };
}

function copyCounted(c: Record<string, Usage>): Record<string, Usage> {
  const out: Record<string, Usage> = {};
  for (const [k, v] of Object.entries(c)) out[k] = { ...v };
  return out;
}

export class CopilotParser implements LogParser {
  private out: EventInputRaw[] = [];
  private skipped: SkippedLine[] = [];
  private readonly s: CopilotState;
  private readonly tools: PendingTools;
  private readonly subagents: Map<string, string>;

  constructor(
    private readonly path: string,
    state?: unknown,
  ) {
    const prev = state as CopilotState | undefined;
    this.s = prev && prev.v === 1
      ? { ...prev, counted: copyCounted(prev.counted) }
      : { v: 1, sessionId: copilotSessionIdOf(path), started: false, counted: {}, tools: [] };
    this.tools = new PendingTools(prev?.v === 1 ? prev.tools : []);
    this.subagents = new Map(prev?.v === 1 ? (prev.subagents ?? []) : []);
  }

  line(text: string, lineNo: number): void {
    const t = text.trim();
    if (!t) return;
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      this.skipped.push({ line: lineNo, reason: `malformed JSON (${(e as Error).message.slice(0, 80)})` });
      return;
    }
    if (!isObj(o) || typeof o.type !== 'string' || !isObj(o.data)) {
      this.skipped.push({ line: lineNo, reason: 'not a session event ({type, data})' });
      return;
    }
    const d = o.data;
    const ts = str(o.timestamp);
    const iso = ts && Number.isFinite(Date.parse(ts)) ? ts : undefined;
    const agentId = str(o.agentId);
    switch (o.type) {
      case 'session.start':
      case 'session.resume':
        this.context(d, o.type === 'session.start', iso);
        return;
      case 'user.message':
        this.prompt(d, str(o.id), iso, agentId);
        return;
      case 'assistant.message':
        this.answer(d, str(o.id), iso, agentId);
        return;
      case 'tool.execution_start':
        this.toolStart(d, iso, agentId);
        return;
      case 'tool.execution_complete':
        this.toolEnd(d, iso);
        return;
      case 'session.usage_record':
        if (isObj(d.usage)) this.usageRecord(d.usage, iso, agentId, lineNo);
        return;
      case 'subagent.started':
      case 'subagent.completed':
      case 'subagent.failed':
        this.subagent(o.type, d, agentId, iso);
        return;
      case 'session.shutdown':
        this.shutdown(d, str(o.id) ?? `line${lineNo}`, iso);
        return;
      default:
        return;
    }
  }

  private base(ts: string | undefined): EventBase | null {
    if (!this.s.sessionId) return null;
    return { session_id: this.s.sessionId, agent_type: AGENT, source: 'import', client_timestamp: ts, project: this.s.project, branch: this.s.branch };
  }

  private context(d: Record<string, unknown>, start: boolean, iso: string | undefined): void {
    if (start) this.s.sessionId = str(d.sessionId) ?? this.s.sessionId;
    const c = isObj(d.context) ? d.context : {};
    this.s.project = str(c.cwd) ?? this.s.project;
    this.s.branch = str(c.branch) ?? this.s.branch;
    if (!start || this.s.started) return;
    const base = this.base(str(d.startTime) ?? iso);
    if (!base) return;
    this.s.started = true;
    this.out.push(eventOf(base, 'session_start', {
      event_id: channelEventId('session_start', AGENT, base.session_id, 'events'),
      model: str(d.selectedModel),
      metadata: { transcript_path: this.path, copilot_version: str(d.copilotVersion), git_root: str(c.gitRoot), repository: str(c.repository) },
    }));
  }

  private prompt(d: Record<string, unknown>, id: string | undefined, iso: string | undefined, agentId: string | undefined): void {
    const text = typeof d.content === 'string' ? d.content.trim() : '';
    // A message with a source was not typed by the user (a skill's injection, another agent's prompt).
    if (!text || d.source !== undefined || agentId) return;
    const base = this.base(iso);
    const key = str(d.messageId) ?? id;
    if (!base || !key) return;
    this.out.push(eventOf(base, 'user_prompt', {
      event_id: channelEventId('prompt', AGENT, base.session_id, key),
      metadata: { prompt: clip(text, 2000), message_id: key },
    }));
  }

  private answer(d: Record<string, unknown>, id: string | undefined, iso: string | undefined, agentId: string | undefined): void {
    const text = typeof d.content === 'string' ? d.content.trim() : '';
    const base = this.base(iso);
    const key = str(d.messageId) ?? id;
    if (!text || !base || !key) return;
    this.out.push(eventOf(base, 'response', {
      event_id: channelEventId('response', AGENT, base.session_id, key),
      model: str(d.model),
      metadata: { text: clip(text, ANSWER_TEXT_MAX), agent_id: agentId },
    }));
  }

  private toolStart(d: Record<string, unknown>, iso: string | undefined, agentId: string | undefined): void {
    const id = str(d.toolCallId);
    const base = this.base(iso);
    if (!id || !base || this.tools.hasEvent(id)) return;
    const name = str(d.mcpToolName) ?? str(d.toolName) ?? 'unknown';
    const event = eventOf(base, 'tool_use', {
      event_id: toolEventId(AGENT, id),
      tool_name: name,
      status: 'running',
      metadata: { call_id: id, input: clip(d.arguments === undefined ? undefined : JSON.stringify(d.arguments), 300), agent_id: agentId },
    });
    this.out.push(event);
    this.tools.remember(id, iso ? Date.parse(iso) : 0, name, event);
  }

  private subagent(type: string, d: Record<string, unknown>, agentId: string | undefined, iso: string | undefined): void {
    const base = this.base(iso);
    const callId = str(d.toolCallId);
    if (!base || !agentId) return;
    const start = type === 'subagent.started';
    if (start && callId) {
      if (this.subagents.size >= MAX_SUBAGENTS) this.subagents.delete(this.subagents.keys().next().value!);
      this.subagents.set(callId, agentId);
    }
    this.out.push(eventOf(base, start ? 'subagent_start' : 'subagent_stop', {
      event_id: channelEventId(start ? 'subagent_start' : 'subagent_stop', AGENT, base.session_id, agentId),
      status: type === 'subagent.failed' ? 'error' : undefined,
      metadata: { agent_id: agentId, subagent_type: str(d.agentName), name: str(d.agentDisplayName), description: clip(str(d.agentDescription), 500), call_id: callId },
    }));
  }

  private toolEnd(d: Record<string, unknown>, iso: string | undefined): void {
    const id = str(d.toolCallId);
    const base = this.base(iso);
    if (!id || !base) return;
    const status = d.success === true ? 'success' : 'error';
    const result = isObj(d.result) ? d.result : {};
    const error = isObj(d.error) ? d.error : {};
    const output: { output?: string; output_chars?: number; subagent_id?: string } = toolOutputFields(typeof result.content === 'string' ? result.content : str(error.message));
    const subagent = this.subagents.get(id);
    if (subagent) {
      output.subagent_id = subagent;
      this.subagents.delete(id);
    }
    const done = this.tools.complete(id, iso ? Date.parse(iso) : NaN, status, undefined, output.output || subagent ? output : undefined);
    if (!done) return;
    this.out.push(eventOf(base, 'tool_use', {
      event_id: toolEventId(AGENT, id),
      tool_name: done.name,
      status,
      duration_ms: done.duration,
      metadata: output.output || subagent ? output : undefined,
    }));
  }

  private counted(model: string): Usage {
    let c = this.s.counted[model];
    if (!c) {
      if (Object.keys(this.s.counted).length >= MAX_MODELS) return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, requests: 0 };
      c = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, requests: 0 };
      this.s.counted[model] = c;
    }
    return c;
  }

  private usageRecord(u: Record<string, unknown>, iso: string | undefined, agentId: string | undefined, lineNo: number): void {
    const base = this.base(iso);
    if (!base) {
      this.skipped.push({ line: lineNo, reason: 'usage before the session is known' });
      return;
    }
    const model = str(u.model) ?? 'unknown';
    const acc = isObj(u.accounting) ? u.accounting : {};
    const callId = str(acc.usageId) ?? str(u.apiCallId) ?? (typeof acc.sequence === 'number' ? `seq${acc.sequence}` : `line${lineNo}`);
    const usage = usageOf(u, 1);
    this.emitUsage(base, model, usage, llmRequestEventId(AGENT, copilotCallKey(base.session_id, callId)), {
      api_call_id: str(u.apiCallId), initiator: str(u.initiator), agent_id: agentId,
    }, typeof u.duration === 'number' && u.duration >= 0 ? u.duration : undefined);
  }

  /** Counts `u` (Copilot's figures, cache inside the input) as one llm_request. */
  private emitUsage(base: EventBase, model: string, u: Usage, eventId: string, metadata: Record<string, unknown>, durationMs?: number): void {
    const c = this.counted(model);
    c.input += u.input;
    c.output += u.output;
    c.cacheRead += u.cacheRead;
    c.cacheWrite += u.cacheWrite;
    c.reasoning += u.reasoning;
    c.requests += u.requests;
    const cacheRead = Math.min(u.cacheRead, u.input);
    const cacheWrite = Math.min(u.cacheWrite, u.input - cacheRead);
    this.out.push(eventOf(base, 'llm_request', {
      event_id: eventId,
      model,
      tokens_in: u.input - cacheRead - cacheWrite,
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
      tokens_out: u.output,
      reasoning_tokens: u.reasoning,
      duration_ms: durationMs,
      status: 'success',
      metadata,
    }));
  }

  private shutdown(d: Record<string, unknown>, id: string, iso: string | undefined): void {
    const base = this.base(iso);
    if (!base) return;
    const metrics = isObj(d.modelMetrics) ? d.modelMetrics : {};
    for (const [model, m] of Object.entries(metrics)) {
      if (!isObj(m) || !isObj(m.usage)) continue;
      const total = usageOf(m.usage, isObj(m.requests) ? num(m.requests.count) : 0);
      const c = this.counted(model);
      const extra: Usage = {
        input: Math.max(0, total.input - c.input),
        output: Math.max(0, total.output - c.output),
        cacheRead: Math.max(0, total.cacheRead - c.cacheRead),
        cacheWrite: Math.max(0, total.cacheWrite - c.cacheWrite),
        reasoning: Math.max(0, total.reasoning - c.reasoning),
        requests: Math.max(0, total.requests - c.requests),
      };
      if (extra.input + extra.output === 0) continue;
      this.emitUsage(base, model, extra, llmRequestEventId(AGENT, copilotCallKey(base.session_id, `shutdown:${id}:${model}`)), {
        from_shutdown_totals: true, requests: extra.requests,
      });
    }
    const nano = typeof d.totalNanoAiu === 'number' && d.totalNanoAiu >= 0 ? d.totalNanoAiu : undefined;
    if (nano !== undefined) this.s.nanoAiu = nano;
    this.out.push(eventOf(base, 'session_end', {
      event_id: channelEventId('session_end', AGENT, base.session_id, id),
      model: str(d.currentModel),
      metadata: { reason: str(d.shutdownType), error: str(d.errorReason), copilot_total_nano_aiu: nano },
    }));
  }

  drain(_final: boolean): EventInputRaw[] {
    this.tools.detachEvents();
    const out = this.out;
    this.out = [];
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.skipped;
    this.skipped = [];
    return s;
  }

  state(): CopilotState {
    return { ...this.s, counted: copyCounted(this.s.counted), tools: this.tools.toJSON(), subagents: [...this.subagents] };
  }
}
