/**
 * Gemini CLI's hooks (`settings.json` `hooks`, the same `{"<Event>": [{matcher?, hooks: [handler]}]}`
 * shape as Claude Code's; only `command` handlers, `timeout` in milliseconds) → events. Read from
 * `@google/gemini-cli` 0.61's `HookEventHandler`; the traps:
 * - Every payload has `session_id`, `transcript_path` (the chat log, `chats/session-*.jsonl`), `cwd`,
 *   `hook_event_name` and `timestamp`; none names a record of the chat log: `BeforeTool`/`AfterTool`
 *   carry `tool_name`, `tool_input` (and `tool_response`), never the call's id, and `BeforeAgent`
 *   carries the prompt's text, not its message id. The chat log records a prompt just after
 *   `BeforeAgent` and a batch of calls just after their last `AfterTool`, with the ids the importer
 *   gives them (`<tool>__<model id>`, the message's uuid). So a hook's prompt or call is held here
 *   and stored only once a later hook of the session finds it in the chat log, under the
 *   importer's id, with the hook's times, duration and outcome: the two channels count it once.
 *   A prompt or call the log never shows (a sub-agent's calls sit in its own file) is never stored
 *   from hooks; the chat log's copy stands alone.
 * - `BeforeTool` is also stored at once as a `hook_event` (not a call): the call shows live while
 *   it runs. `PreCompress` fires before every model request (`trigger: auto`), compressed or not: it
 *   stores nothing, but is installed as the point where the previous batch's calls are found.
 * - `BeforeModel`/`AfterModel`/`BeforeToolSelection` are not installed: they carry the whole
 *   conversation on every request (`AfterModel` on every streamed chunk), and their usage has no
 *   cached or thought split; requests are counted from the chat log and OTLP.
 * - `Notification` (`ToolPermission`) means the CLI waits for the user's approval.
 * - Hooks run with a sanitized environment (variables named like secrets are dropped), so the
 *   server's port is on the command line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { channelEventId, toolEventId } from '../../contracts/eventIds';
import type { EventInputRaw, EventType } from '../../contracts/events';
import { geminiMessage, ignoredGeminiPrompt, isGeminiChatFile } from '../../importers/gemini';
import { clip as clipText } from '../../importers/types';
import { COMMAND_HOOK_TIMEOUT_S, hookCommand, type HooksConfig, type HookTarget } from '../../hooks/hookSettings';
import type { HookNormalizeContext } from '../../hooks/normalize';
import { genericFields, isRecord, str, summarizeToolResponse } from '../../hooks/summarize';

const AGENT = 'gemini-cli';

/** The events `hooks install --agent gemini` registers (see the module comment for those left out). */
export const GEMINI_HOOK_EVENTS = ['SessionStart', 'SessionEnd', 'BeforeAgent', 'AfterAgent', 'BeforeTool', 'AfterTool', 'Notification', 'PreCompress'] as const;

const TOOL_EVENTS = new Set(['BeforeTool', 'AfterTool']);

/** Our hooks in Gemini CLI's settings shape: the command-hook script for every event. */
export function geminiHooks(t: HookTarget): HooksConfig {
  const out: HooksConfig = {};
  for (const event of GEMINI_HOOK_EVENTS) {
    const handler = { name: 'agentmonitor', type: 'command', command: hookCommand(AGENT, t), timeout: COMMAND_HOOK_TIMEOUT_S * 1000 };
    out[event] = [TOOL_EVENTS.has(event) ? { matcher: '*', hooks: [handler] } : { hooks: [handler] }];
  }
  return out;
}

/** How much of a chat log one hook reads at most; the rest waits for the next hook. */
const READ_MAX = 8 * 1024 * 1024;
const SESSIONS_KEPT = 500;
const PENDING_KEPT = 200;
const RESOLVED_KEPT = 1000;
const TEXT_MAX = 4000;

/** As the importer keeps a call's input (`geminiMessage`): the two are compared. */
const inputKey = (input: unknown) => clipText(input === undefined ? undefined : JSON.stringify(input), 300) ?? '';
/** As the importer keeps a prompt. */
const promptKey = (text: string) => clipText(text.trim(), 2000) ?? '';

interface PendingCall {
  name: string;
  input: string;
  at: string | undefined;
  receivedAt: number;
  end?: { at: string | undefined; receivedAt: number; failed: boolean; output?: Record<string, unknown>; error?: string };
}

interface SessionHooks {
  /** Prompts announced (`BeforeAgent`), as the importer keeps their text. */
  prompts: { key: string; at: string | undefined }[];
  calls: PendingCall[];
  /** Prompts and finished calls the chat log showed that no hook has claimed yet. */
  logged: { id: string; text?: string; name?: string; input?: string; status?: string; at: number | undefined }[];
  /** Chat-log ids already stored from hooks (a message is written again as it changes). */
  resolved: Set<string>;
  /** The chat log, and how far it was read (whole lines, unless `midLine`: the first read starts inside one). */
  file?: string;
  offset: number;
  midLine?: boolean;
}

function time(v: unknown): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** A record written before the hook that announced it fired is an earlier prompt or call of the same text. */
function notBefore(recorded: number | undefined, announced: string | undefined): boolean {
  const a = time(announced);
  return recorded === undefined || a === undefined || recorded >= a;
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > RESOLVED_KEPT) set.delete(set.values().next().value!);
}

/** The chat log a hook names, when it is one of this session's (`chats/session-<time>-<id8>.jsonl`). */
export function isGeminiHookTranscript(sessionId: string, p: string): boolean {
  return path.isAbsolute(p) && isGeminiChatFile(p) && p.endsWith('.jsonl') && path.basename(p).endsWith(`-${sessionId.slice(0, 8)}.jsonl`);
}

/**
 * One hook endpoint's mapper: remembers, per session (bounded), the prompts and calls its hooks
 * announced that the chat log has not shown yet, and how far it read each chat log.
 */
export class GeminiHookMapper {
  private readonly sessions = new Map<string, SessionHooks>();

  map(payload: Record<string, unknown>, ctx: HookNormalizeContext): EventInputRaw[] {
    const hookName = str(payload, 'hook_event_name', 100) ?? 'unknown';
    const sid = str(payload, 'session_id', 200) ?? '';
    const cwd = str(payload, 'cwd', 512);
    const at = str(payload, 'timestamp', 64);
    const transcript = str(payload, 'transcript_path', 1000);
    const branch = cwd ? (ctx.branchFor(cwd) ?? undefined) : undefined;
    const event = (eventType: EventType, fields: Partial<EventInputRaw>, meta: Record<string, unknown>): EventInputRaw => ({
      session_id: sid,
      agent_type: AGENT,
      event_type: eventType,
      project: cwd,
      branch,
      source: 'hook',
      client_timestamp: at,
      ...fields,
      metadata: compact({ hook_event_name: hookName, ...meta }),
    });
    const s = this.session(sid);
    // A hook's POST may arrive after the CLI wrote what follows it, so the chat log is read from its
    // start, or from its last READ_MAX bytes when it is longer (a server started mid-session): what
    // was written before a hook fired is never taken for its prompt or call (`notBefore`).
    if (transcript && s.file !== transcript && isGeminiHookTranscript(sid, transcript)) {
      s.file = transcript;
      s.offset = Math.max(0, fileSize(transcript) - READ_MAX);
      s.midLine = s.offset > 0;
    }
    const out: EventInputRaw[] = [];

    switch (hookName) {
      case 'SessionStart':
        // The importer's id for the session's start: one start whichever channel brings it.
        out.push(event('session_start', { event_id: channelEventId('session_start', AGENT, sid, 'chat') }, { source: str(payload, 'source', 50), transcript_path: transcript }));
        break;
      case 'BeforeAgent': {
        const prompt = typeof payload.prompt === 'string' ? payload.prompt : '';
        if (prompt.trim() && !ignoredGeminiPrompt(prompt.trim())) s.prompts.push({ key: promptKey(prompt), at });
        if (s.prompts.length > PENDING_KEPT) s.prompts.shift();
        break;
      }
      case 'BeforeTool': {
        const name = str(payload, 'tool_name', 200) ?? 'unknown';
        const input = inputKey(payload.tool_input);
        s.calls.push({ name, input, at, receivedAt: ctx.receivedAt });
        if (s.calls.length > PENDING_KEPT) s.calls.shift();
        out.push(event('hook_event', {}, { tool_name: name, input }));
        break;
      }
      case 'AfterTool': {
        const name = str(payload, 'tool_name', 200) ?? 'unknown';
        const input = inputKey(payload.tool_input);
        const call = s.calls.find((c) => !c.end && c.name === name && c.input === input);
        const response = isRecord(payload.tool_response) ? payload.tool_response : {};
        const error = isRecord(response.error) ? str(response.error, 'message', 1000) : undefined;
        if (call) call.end = { at, receivedAt: ctx.receivedAt, failed: response.error !== undefined && response.error !== null, output: summarizeToolResponse(response.llmContent), error };
        break;
      }
      case 'Notification':
        out.push(
          event('notification', {}, {
            message: str(payload, 'message', 1000),
            // Its ToolPermission is the CLI asking to run a tool (`store/sessionState.ts` reads this type).
            notification_type: payload.notification_type === 'ToolPermission' ? 'permission_prompt' : str(payload, 'notification_type', 100),
            gemini_notification_type: str(payload, 'notification_type', 100),
            title: isRecord(payload.details) ? str(payload.details, 'title', 200) : undefined,
          }),
        );
        break;
      case 'PreCompress':
      case 'AfterAgent':
      case 'SessionEnd':
        break;
      default:
        out.push(event('hook_event', {}, genericFields(payload)));
    }

    if (transcript && (s.prompts.length || s.calls.length)) {
      out.unshift(...this.resolve(s, sid, transcript, event));
    }
    if (hookName === 'AfterAgent') {
      out.push(
        event('stop', {}, {
          last_assistant_message: str(payload, 'prompt_response', TEXT_MAX),
          stop_hook_active: payload.stop_hook_active === true ? true : undefined,
        }),
      );
    }
    if (hookName === 'SessionEnd') {
      out.push(event('session_end', {}, { reason: str(payload, 'reason', 200), transcript_path: transcript }));
      this.sessions.delete(sid);
    }
    return out;
  }

  private session(sid: string): SessionHooks {
    let s = this.sessions.get(sid);
    if (s) {
      this.sessions.delete(sid);
    } else {
      s = { prompts: [], calls: [], logged: [], resolved: new Set(), offset: 0 };
    }
    this.sessions.set(sid, s);
    while (this.sessions.size > SESSIONS_KEPT) this.sessions.delete(this.sessions.keys().next().value!);
    return s;
  }

  /** The held prompts and calls the chat log now shows (finished), under the importer's ids. */
  private resolve(s: SessionHooks, sid: string, transcript: string, event: (t: EventType, f: Partial<EventInputRaw>, m: Record<string, unknown>) => EventInputRaw): EventInputRaw[] {
    if (!isGeminiHookTranscript(sid, transcript)) return [];
    for (const record of this.newRecords(s, transcript)) {
      const m = geminiMessage(record);
      if (!m) continue;
      if (m.type === 'user' && !m.toolResult && m.text && !ignoredGeminiPrompt(m.text) && !s.resolved.has(m.id)) s.logged.push({ id: m.id, text: m.text, at: time(m.ts) });
      if (m.type !== 'gemini' || !Array.isArray(record.toolCalls)) continue;
      for (const c of record.toolCalls) {
        if (!isRecord(c) || typeof c.id !== 'string' || !c.id) continue;
        const status = c.status === 'success' ? 'success' : c.status === 'error' || c.status === 'cancelled' ? 'error' : null;
        if (!status || s.resolved.has(c.id) || s.logged.some((l) => l.id === c.id)) continue;
        const name = typeof c.name === 'string' && c.name ? c.name : 'unknown';
        s.logged.push({ id: c.id, name, input: inputKey(c.args), status, at: time(c.timestamp) });
      }
    }
    if (s.logged.length > PENDING_KEPT) s.logged.splice(0, s.logged.length - PENDING_KEPT);
    const out: EventInputRaw[] = [];
    // A hook's POST may arrive after the chat log showed its record: what the log showed waits here too.
    for (let li = 0; li < s.logged.length; li++) {
      const l = s.logged[li];
      const e: EventInputRaw[] = [];
      if (l.text !== undefined) {
        const i = s.prompts.findIndex((p) => p.key === l.text && notBefore(l.at, p.at));
        if (i < 0) continue;
        const p = s.prompts.splice(i, 1)[0];
        e.push(event('user_prompt', { event_id: channelEventId('prompt', AGENT, sid, l.id), client_timestamp: p.at }, { prompt: l.text, message_id: l.id, hook_event_name: 'BeforeAgent' }));
      } else {
        // Only once its AfterTool came (its POST may come after the next hook's): the call's outcome and duration.
        const i = s.calls.findIndex((c) => c.end && c.name === l.name && c.input === l.input && notBefore(l.at, c.at));
        if (i < 0) continue;
        const c = s.calls.splice(i, 1)[0];
        const end = c.end!;
        const id = toolEventId(AGENT, l.id);
        // Its start and its end, as Claude Code's PreToolUse and PostToolUse: one event, dated when it
        // started, and the session working again when it ended (a permission the user granted, asked
        // after BeforeTool fired, ends there).
        e.push(
          event('tool_use', { event_id: id, tool_name: l.name, client_timestamp: c.at, status: 'running' }, { call_id: l.id, input: l.input, hook_event_name: 'BeforeTool' }),
          event(
            'tool_use',
            { event_id: id, tool_name: l.name, client_timestamp: end.at, status: end.failed || l.status === 'error' ? 'error' : 'success', duration_ms: Math.max(0, end.receivedAt - c.receivedAt) },
            { call_id: l.id, input: l.input, output: end.output, error: end.error, hook_event_name: 'AfterTool' },
          ),
        );
      }
      remember(s.resolved, l.id);
      s.logged.splice(li--, 1);
      out.push(...e);
    }
    return out;
  }

  /** The records written to the chat log since the last read (message records and `$set.messages`). */
  private newRecords(s: SessionHooks, file: string): Record<string, unknown>[] {
    if (s.file !== file) return [];
    let text: string;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size < s.offset) s.offset = 0;
        const len = Math.min(size - s.offset, READ_MAX);
        if (len <= 0) return [];
        const buf = Buffer.alloc(len);
        const n = fs.readSync(fd, buf, 0, len, s.offset);
        // Up to the last full line: a multi-byte character is never cut.
        const end = buf.lastIndexOf(0x0a, n - 1) + 1;
        if (end === 0) return [];
        s.offset += end;
        const start = s.midLine ? buf.indexOf(0x0a) + 1 : 0;
        s.midLine = false;
        text = buf.subarray(start, Math.max(start, end)).toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    const records: Record<string, unknown>[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      if (!isRecord(o)) continue;
      if (isRecord(o.$set) && Array.isArray(o.$set.messages)) records.push(...o.$set.messages.filter(isRecord));
      else if (typeof o.id === 'string') records.push(o);
    }
    return records;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function compact(meta: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(meta)) if (meta[k] === undefined) delete meta[k];
  return meta;
}
