/**
 * Gemini CLI chat logs (`~/.gemini/tmp/<project>/chats/session-<time>-<id8>.jsonl`; a sub-agent's
 * under `chats/<parent session id>/<own id>.jsonl`; versions before the JSONL format wrote one
 * pretty-printed `session-*.json`) → events. Read from `@google/gemini-cli` 0.61's
 * `ChatRecordingService`; the traps:
 * - The first line is the session's metadata (`sessionId`, `projectHash`, `startTime`, `kind`
 *   main|subagent); then one line per message record, plus control lines: `{"$set": {...}}`
 *   (metadata; `$set.messages` replaces the history wholesale and carries message records too) and
 *   `{"$rewindTo": id}` (the user rewound: the CLI drops that message and the later ones from its
 *   history).
 * - The same message `id` is appended again whenever the message changes (tokens attached, tool
 *   calls recorded): the last copy per id is the message; never sum copies. A message is held
 *   until a line of another id follows it (or the pass ends), then turned into events once.
 *   Tokens are attached at most once to a message, so a copy emitted early never has other tokens.
 * - `tokens` = the API's usageMetadata: `input` (promptTokenCount) already includes `cached`;
 *   `output` (candidatesTokenCount) excludes `thoughts`, which bill as output; `tool`
 *   (toolUsePromptTokenCount) bills as input. No cost is stored: it is priced like any request.
 * - Rewound messages were still billed: a rewind removes nothing here.
 * - A `user` record whose parts are `functionResponse`s is a tool result sent back, not a prompt;
 *   `<session_context>` and `/`-commands are not prompts either (the CLI skips them too).
 * - Tool calls are recorded once completed (`success`, `error`, `cancelled`), on their gemini
 *   message; the router's classifier calls (flash-lite, `generateContent`) are billed but never
 *   written to the chat log.
 * - The project path is not in the file: `<project dir>/.project_root` names it, else
 *   `~/.gemini/projects.json` (`{projects: {path: slug}}`), else, for folders named by the older
 *   scheme (sha256 of the path), the path whose hash it is.
 * Identity of a request: its session and usage (`geminiUsageKey`), which the OTLP
 * `gemini_cli.api_response` record of the same call carries too.
 * The OTLP records also cover calls the chat log never shows (the model router's classifier and
 * other side calls), which are then counted from OTLP alone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, geminiUsageKey, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, type EventBase, type LogParser, type SkippedLine } from './types';

export const GEMINI_AGENT = 'gemini-cli';
const AGENT = GEMINI_AGENT;
/** Cap of a legacy whole-file `.json` log read at once. */
export const GEMINI_JSON_MAX_BYTES = 64 * 1024 * 1024;

/** What a message record contributes, kept compact (it may be carried in the import state). */
interface Msg {
  id: string;
  type: string;
  ts?: string;
  model?: string;
  tokens?: { input: number; output: number; cached: number; thoughts: number; tool: number };
  text?: string;
  /** A user record made only of tool results. */
  toolResult?: boolean;
  tools?: { id: string; name: string; status: string; input?: string }[];
}

interface GeminiState {
  v: 1;
  sessionId: string | null;
  ownId: string | null;
  kind: string | null;
  started: boolean;
  /** Messages seen in this pass and not yet turned into events, oldest first. */
  open: Msg[];
  /** Recent usage keys and the message that first had each (`USAGE_KEYS_KEPT` at most, oldest first). */
  keys?: [string, string][];
}

/**
 * Usage keys remembered per file. A later message of the same session with the same five counts
 * gets its own id (`<key>~<message id>`) while the first is remembered; OTLP, which cannot tell the
 * two apart, counts it once.
 */
const USAGE_KEYS_KEPT = 500;

export interface GeminiFileInfo {
  /** Set for a sub-agent's file (`chats/<parent id>/<id>.jsonl`): its events belong to the parent. */
  parentId?: string;
  project?: string;
}

const projectCache = new Map<string, string | null>();

/** Where a chat file sits: its parent session (sub-agents) and its project's path. */
export function geminiFileInfo(filePath: string): GeminiFileInfo {
  const parts = filePath.split(/[\\/]/);
  const i = parts.lastIndexOf('chats');
  if (i < 1) return {};
  const info: GeminiFileInfo = {};
  if (parts.length - i === 3) info.parentId = parts[i + 1];
  const projectDir = parts.slice(0, i).join(path.sep) || path.sep;
  const project = projectOf(projectDir);
  if (project) info.project = project;
  return info;
}

function projectOf(projectDir: string): string | null {
  const hit = projectCache.get(projectDir);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  try {
    found = fs.readFileSync(path.join(projectDir, '.project_root'), 'utf8').trim() || null;
  } catch {
    /* no marker (older versions) */
  }
  if (!found) {
    const slug = path.basename(projectDir);
    try {
      const reg = JSON.parse(fs.readFileSync(path.join(projectDir, '..', '..', 'projects.json'), 'utf8')) as unknown;
      const projects = isObj(reg) && isObj(reg.projects) ? reg.projects : {};
      for (const [p, s] of Object.entries(projects)) {
        if (s === slug || (/^[0-9a-f]{64}$/.test(slug) && createHash('sha256').update(p).digest('hex') === slug)) {
          found = p;
          break;
        }
      }
    } catch {
      /* no registry */
    }
  }
  if (projectCache.size > 1000) projectCache.clear();
  projectCache.set(projectDir, found);
  return found;
}

function partsOf(content: unknown): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ text: content }];
  if (isObj(content)) return [content];
  return Array.isArray(content) ? content.filter(isObj) : [];
}

/** Text of a user record that is no prompt: commands, `<session_context>`, hook context (the CLI skips them too). */
export function ignoredGeminiPrompt(text: string): boolean {
  return !text || text.startsWith('/') || text.startsWith('?') || text.startsWith('<session_context>') || text.startsWith('<hook_context>');
}

function toolStatus(s: unknown): 'success' | 'error' | 'running' {
  if (s === 'success') return 'success';
  if (s === 'error' || s === 'cancelled') return 'error';
  return 'running';
}

/** The compact form of a message record, or null when it is not one. */
export function geminiMessage(o: Record<string, unknown>): Msg | null {
  const id = str(o.id);
  const type = str(o.type);
  if (!id || !type) return null;
  const m: Msg = { id, type };
  const ts = str(o.timestamp);
  if (ts && Number.isFinite(Date.parse(ts))) m.ts = ts;
  if (type === 'user') {
    const parts = partsOf(o.content);
    if (parts.some((p) => isObj(p.functionResponse))) m.toolResult = true;
    const text = parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('').trim();
    if (text) m.text = clip(text, 2000);
  } else if (type === 'gemini') {
    m.model = str(o.model);
    const t = o.tokens;
    if (isObj(t)) m.tokens = { input: num(t.input), output: num(t.output), cached: num(t.cached), thoughts: num(t.thoughts), tool: num(t.tool) };
    const text = typeof o.content === 'string' ? o.content.trim() : partsOf(o.content).map((p) => (typeof p.text === 'string' && !p.thought ? p.text : '')).join('').trim();
    if (text) m.text = clip(text, ANSWER_TEXT_MAX);
    if (Array.isArray(o.toolCalls)) {
      m.tools = [];
      for (const c of o.toolCalls) {
        if (!isObj(c)) continue;
        const cid = str(c.id);
        if (!cid) continue;
        m.tools.push({ id: cid, name: str(c.name) ?? 'unknown', status: toolStatus(c.status), input: clip(c.args === undefined ? undefined : JSON.stringify(c.args), 300) });
      }
    }
  }
  return m;
}

export class GeminiParser implements LogParser {
  private out: EventInputRaw[] = [];
  private skipped: SkippedLine[] = [];
  private readonly s: GeminiState;
  private readonly info: GeminiFileInfo;
  private readonly keys: Map<string, string>;

  constructor(
    private readonly path: string,
    state?: unknown,
    info?: GeminiFileInfo,
  ) {
    const prev = state as GeminiState | undefined;
    this.s = prev && prev.v === 1 ? { ...prev, open: [...prev.open] } : { v: 1, sessionId: null, ownId: null, kind: null, started: false, open: [] };
    this.keys = new Map(prev?.keys ?? []);
    this.info = info ?? geminiFileInfo(path);
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
    if (!isObj(o)) {
      this.skipped.push({ line: lineNo, reason: 'not a JSON object' });
      return;
    }
    if (typeof o.$rewindTo === 'string') return;
    if (isObj(o.$set)) {
      const sid = str(o.$set.sessionId);
      if (sid && !this.s.ownId) this.meta({ sessionId: sid });
      if (Array.isArray(o.$set.messages)) this.messages(o.$set.messages, lineNo);
      return;
    }
    if (typeof o.sessionId === 'string' && typeof o.projectHash === 'string') {
      // The metadata line; a legacy `.json` file is this line with `messages` inside.
      this.meta(o);
      if (Array.isArray(o.messages)) this.messages(o.messages, lineNo);
      return;
    }
    const m = geminiMessage(o);
    if (!m) {
      this.skipped.push({ line: lineNo, reason: 'neither a message record (id, type) nor a control line' });
      return;
    }
    this.add(m, lineNo);
  }

  private meta(o: Record<string, unknown>): void {
    const own = str(o.sessionId);
    if (!own || this.s.ownId) return;
    this.s.ownId = own;
    this.s.kind = str(o.kind) ?? null;
    this.s.sessionId = this.info.parentId ?? own;
    if (this.s.started) return;
    this.s.started = true;
    const base = this.base(str(o.startTime));
    if (this.info.parentId) {
      this.out.push(eventOf(base!, 'subagent_start', {
        event_id: channelEventId('subagent_start', AGENT, this.s.sessionId, own),
        metadata: { agent_id: own, transcript_path: this.path },
      }));
    } else {
      this.out.push(eventOf(base!, 'session_start', {
        event_id: channelEventId('session_start', AGENT, own, 'chat'),
        metadata: { transcript_path: this.path, project_hash: str(o.projectHash), kind: this.s.kind ?? undefined },
      }));
    }
  }

  private messages(list: unknown[], lineNo: number): void {
    for (const r of list) {
      const m = isObj(r) ? geminiMessage(r) : null;
      if (m) this.add(m, lineNo);
    }
  }

  private add(m: Msg, lineNo: number): void {
    if (!this.s.sessionId) {
      this.skipped.push({ line: lineNo, reason: 'message before the session metadata line' });
      return;
    }
    const open = this.s.open;
    const i = open.findIndex((x) => x.id === m.id);
    if (i >= 0) open.splice(i, 1);
    // Another id follows: the messages before it are final.
    while (open.length) this.emit(open.shift()!);
    open.push(m);
  }

  private base(ts: string | undefined): EventBase | null {
    if (!this.s.sessionId) return null;
    return { session_id: this.s.sessionId, agent_type: AGENT, source: 'import', client_timestamp: ts, project: this.info.project, branch: undefined };
  }

  private emit(m: Msg): void {
    const base = this.base(m.ts);
    if (!base) return;
    const agentId = this.info.parentId ? (this.s.ownId ?? undefined) : undefined;
    if (m.type === 'user') {
      if (m.toolResult || !m.text || ignoredGeminiPrompt(m.text)) return;
      this.out.push(eventOf(base, 'user_prompt', {
        event_id: channelEventId('prompt', AGENT, base.session_id, m.id),
        metadata: { prompt: m.text, message_id: m.id, agent_id: agentId },
      }));
      return;
    }
    if (m.type !== 'gemini') return;
    const t = m.tokens;
    if (t && t.input + t.output + t.thoughts + t.tool > 0) {
      const cached = Math.min(t.cached, t.input);
      this.out.push(eventOf(base, 'llm_request', {
        event_id: llmRequestEventId(AGENT, this.usageId(geminiUsageKey(base.session_id, t), m.id)),
        model: m.model,
        tokens_in: t.input - cached + t.tool,
        cache_read_tokens: cached,
        tokens_out: t.output + t.thoughts,
        reasoning_tokens: t.thoughts,
        status: 'success',
        metadata: { message_id: m.id, agent_id: agentId },
      }));
    }
    if (m.text) {
      this.out.push(eventOf(base, 'response', {
        event_id: channelEventId('response', AGENT, base.session_id, m.id),
        model: m.model,
        metadata: { text: m.text, agent_id: agentId },
      }));
    }
    for (const c of m.tools ?? []) {
      this.out.push(eventOf(base, 'tool_use', {
        event_id: toolEventId(AGENT, c.id),
        tool_name: c.name,
        status: c.status as 'success' | 'error' | 'running',
        metadata: { call_id: c.id, input: c.input, agent_id: agentId },
      }));
    }
  }

  private usageId(key: string, messageId: string): string {
    const owner = this.keys.get(key);
    if (owner === undefined) {
      if (this.keys.size >= USAGE_KEYS_KEPT) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(key, messageId);
      return key;
    }
    return owner === messageId ? key : `${key}~${messageId}`;
  }

  drain(final: boolean): EventInputRaw[] {
    if (final) while (this.s.open.length) this.emit(this.s.open.shift()!);
    const out = this.out;
    this.out = [];
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.skipped;
    this.skipped = [];
    return s;
  }

  state(): GeminiState {
    return { ...this.s, open: [...this.s.open], keys: [...this.keys] };
  }
}

/** Whether a path is a Gemini CLI chat log: `.jsonl` (or legacy `.json`) under a `chats` folder. */
export function isGeminiChatFile(p: string): boolean {
  if (!p.endsWith('.jsonl') && !p.endsWith('.json')) return false;
  const parts = p.split(/[\\/]/);
  const i = parts.lastIndexOf('chats');
  return i >= 0 && (parts.length - i === 2 || parts.length - i === 3);
}
