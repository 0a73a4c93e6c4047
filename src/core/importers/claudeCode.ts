/**
 * Claude Code transcripts (`~/.claude/projects/<cwd>/<session>.jsonl`, subagents in
 * `<session>/subagents/agent-<id>.jsonl`) → events. The traps of FORMATS.md:
 * - One usage record per (message.id, requestId), or per message.id when a line has no requestId:
 *   Claude Code writes one line per content block, repeating the usage, and a later line may carry
 *   a larger `output_tokens`; the largest wins.
 * - Main chain preferred over sidechain lines of the same response; sidechain lines that replay a
 *   main-chain message.id under a new requestId are not counted again, whichever comes first in the
 *   file (sidechain responses are held until the pass ends); model `<synthetic>` is skipped.
 * - Any line whose `message` carries `usage` counts, whatever its `type` (as ccusage counts it).
 * - Subagent files carry the parent's `sessionId`: their usage counts in the parent session.
 * - `costUSD` (old versions) is honoured as the agent's own figure.
 * The LLM call's id is `llmRequestEventId('claude-code', requestId)`, the same as OTLP
 * `api_request`, so the two channels count once; tool calls use `toolEventId` like the hooks.
 * What the model said (its text and thinking blocks, which Claude Code writes one per line) is a
 * `response` event beside the call, `channelEventId('response', 'claude-code', session, requestId)`
 * as OTLP `assistant_response` names it, with `metadata.text` and `metadata.thinking` (capped).
 * A tool's result (`tool_result` block) completes its `tool_use` event with the head of its text
 * (`metadata.output`, `TOOL_OUTPUT_MAX`), and an Agent call with the id of the subagent it ran
 * (`metadata.subagent_id`; that subagent's events carry it as `metadata.agent_id`).
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { PendingTools } from './pendingTools';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, toolOutputFields, type LogParser, type SkippedLine } from './types';

const AGENT = 'claude-code';
const MAX_MAIN_IDS = 200_000;

/** Main-chain message ids per session, shared by the files of one import (trap 2). */
export class ClaudeSessionIndex {
  private readonly ids = new Map<string, Set<string>>();
  private size = 0;

  add(sessionId: string, messageId: string): void {
    let s = this.ids.get(sessionId);
    if (!s) this.ids.set(sessionId, (s = new Set()));
    if (s.has(messageId)) return;
    if (this.size >= MAX_MAIN_IDS) {
      this.ids.clear();
      this.size = 0;
      this.ids.set(sessionId, (s = new Set()));
    }
    s.add(messageId);
    this.size++;
  }

  has(sessionId: string, messageId: string): boolean {
    return this.ids.get(sessionId)?.has(messageId) ?? false;
  }
}

export interface ClaudeFileInfo {
  path: string;
  /** Session id from the file name (fallback when a line has none). */
  fileSessionId?: string;
  /** Agent id of a subagent file (`agent-<id>.jsonl`). */
  agentId?: string;
  index?: ClaudeSessionIndex;
}

interface ClaudeState {
  v: 1;
  /** tool_use_id → [epoch ms, tool name] of calls still waiting for their result. */
  tools: [string, number, string][];
  subagentStarted: boolean;
  transcriptNoted: boolean;
}

interface Group {
  event: EventInputRaw;
  total: number;
  sidechain: boolean;
  msgId: string;
  /** The response's text and thinking (a `response` event), when it has any. */
  answer?: Answer;
}

/** What the model said in one response: its text and thinking blocks, each kept once. */
interface Answer {
  event: EventInputRaw;
  text: string[];
  thinking: string[];
}

/** Appends the blocks not already there (a replayed line repeats them); how many were added. */
function addOnce(into: string[], blocks: string[]): number {
  let n = 0;
  for (const b of blocks) {
    if (into.length >= 64 || into.includes(b)) continue;
    into.push(b);
    n++;
  }
  return n;
}

/** The text and thinking blocks of an assistant message's content. */
function answerBlocks(content: unknown): { text: string[]; thinking: string[] } | null {
  if (!Array.isArray(content)) return null;
  const text: string[] = [];
  const thinking: string[] = [];
  for (const b of content) {
    if (!isObj(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string' && b.text.trim()) text.push(b.text);
    else if (b.type === 'thinking' && typeof b.thinking === 'string' && b.thinking.trim()) thinking.push(b.thinking);
  }
  return text.length || thinking.length ? { text, thinking } : null;
}

/** Parse the path of a transcript into its session id and subagent id. */
export function claudeFileInfo(filePath: string): { fileSessionId?: string; agentId?: string } {
  const parts = filePath.split(/[\\/]/);
  const base = parts[parts.length - 1].replace(/\.jsonl$/, '');
  if (parts[parts.length - 2] === 'subagents') {
    return { fileSessionId: parts[parts.length - 3], agentId: base.replace(/^agent-/, '') };
  }
  return { fileSessionId: base };
}

function isoTime(v: unknown): string | undefined {
  return typeof v === 'string' && Number.isFinite(Date.parse(v)) ? v : undefined;
}

export class ClaudeParser implements LogParser {
  private out: EventInputRaw[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly tools: PendingTools;
  private skipped: SkippedLine[] = [];
  private subagentStarted = false;
  private transcriptNoted = false;
  private lastKey: string | null = null;
  private readonly index: ClaudeSessionIndex;

  constructor(private readonly info: ClaudeFileInfo, state?: unknown) {
    this.index = info.index ?? new ClaudeSessionIndex();
    const s = state as ClaudeState | undefined;
    this.tools = new PendingTools(s && s.v === 1 ? s.tools : []);
    if (s && s.v === 1) {
      this.subagentStarted = !!s.subagentStarted;
      this.transcriptNoted = !!s.transcriptNoted;
    }
  }

  line(text: string, lineNo: number): void {
    const t = text.trim();
    if (!t) return;
    if (t[0] !== '{' || t[t.length - 1] !== '}') {
      this.skipped.push({ line: lineNo, reason: 'malformed line (not a JSON object)' });
      return;
    }
    if (!t.includes('"assistant"') && !t.includes('"user"') && !t.includes('compact_boundary') && !t.includes('"usage"')) return;
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      this.skipped.push({ line: lineNo, reason: `malformed JSON (${(e as Error).message.slice(0, 80)})` });
      return;
    }
    if (!isObj(o)) return;
    const type = o.type;
    if (type === 'assistant') this.assistant(o, lineNo);
    else if (type === 'user') this.user(o, lineNo);
    else if (type === 'system' && o.subtype === 'compact_boundary') this.compaction(o, lineNo);
    else if (type !== 'system' && isObj(o.message) && isObj(o.message.usage)) this.assistant(o, lineNo);
  }

  private base(o: Record<string, unknown>, lineNo: number): Omit<EventInputRaw, 'event_type'> | null {
    const session_id = str(o.sessionId) ?? this.info.fileSessionId;
    if (!session_id) {
      this.skipped.push({ line: lineNo, reason: 'no sessionId' });
      return null;
    }
    return {
      session_id,
      agent_type: AGENT,
      source: 'import',
      client_timestamp: isoTime(o.timestamp),
      project: str(o.cwd),
      branch: str(o.gitBranch),
    };
  }

  private metaFor(o: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
    const m: Record<string, unknown> = { ...extra };
    if (o.isSidechain === true) m.sidechain = true;
    const agentId = str(o.agentId) ?? this.info.agentId;
    if (agentId && o.isSidechain === true) m.agent_id = agentId;
    if (!this.transcriptNoted && !this.info.agentId) {
      m.transcript_path = this.info.path;
      this.transcriptNoted = true;
    }
    return m;
  }

  private assistant(o: Record<string, unknown>, lineNo: number): void {
    const msg = o.message;
    if (!isObj(msg)) {
      this.skipped.push({ line: lineNo, reason: 'assistant line without message' });
      return;
    }
    if (msg.model === '<synthetic>') return;
    const base = this.base(o, lineNo);
    if (!base) return;
    const sidechain = o.isSidechain === true;
    const msgId = str(msg.id);
    const reqId = str(o.requestId);
    const at = base.client_timestamp ? Date.parse(base.client_timestamp) : NaN;

    if (Array.isArray(msg.content)) {
      for (const b of msg.content) {
        if (!isObj(b) || b.type !== 'tool_use') continue;
        const id = str(b.id);
        if (!id || this.tools.hasEvent(id)) continue;
        const name = str(b.name) ?? 'unknown';
        const event: EventInputRaw = eventOf(base, 'tool_use', {
          event_id: toolEventId(AGENT, id),
          tool_name: name,
          status: 'running',
          metadata: this.metaFor(o, { tool_use_id: id, input: toolInputSummary(b.input) }),
        });
        this.out.push(event);
        this.tools.remember(id, at, name, event);
      }
    }

    const blocks = answerBlocks(msg.content);
    const usage = msg.usage;
    if (!isObj(usage)) {
      if (blocks && !(sidechain && msgId && this.index.has(base.session_id, msgId))) {
        this.addAnswer(undefined, o, base, blocks, reqId ?? msgId ?? str(o.uuid) ?? `line-${lineNo}`);
      }
      return;
    }
    if (sidechain && msgId && this.index.has(base.session_id, msgId)) {
      const g = reqId && this.groups.get(`${msgId}|${reqId}`);
      if (!g) return; // a sidechain replay of a main-chain response under a new requestId
    }
    if (!sidechain && msgId) this.index.add(base.session_id, msgId);

    const cc = isObj(usage.cache_creation) ? usage.cache_creation : null;
    const w1h = cc ? num(cc.ephemeral_1h_input_tokens) : 0;
    const write = usage.cache_creation_input_tokens !== undefined ? num(usage.cache_creation_input_tokens) : cc ? num(cc.ephemeral_5m_input_tokens) + w1h : 0;
    const tokens = {
      tokens_in: num(usage.input_tokens),
      tokens_out: num(usage.output_tokens),
      cache_read_tokens: num(usage.cache_read_input_tokens),
      cache_write_tokens: write,
      cache_write_1h_tokens: Math.min(w1h, write),
    };
    const total = tokens.tokens_in + tokens.tokens_out + tokens.cache_read_tokens + tokens.cache_write_tokens;
    const model = str(msg.model);
    const cost = typeof o.costUSD === 'number' && Number.isFinite(o.costUSD) && o.costUSD >= 0 ? o.costUSD : undefined;
    const key = msgId ? `${msgId}|${reqId ?? ''}` : null;
    const existing = key ? this.groups.get(key) : undefined;
    if (existing && blocks) this.addAnswer(existing, o, base, blocks, reqId ?? msgId!);
    if (existing) {
      const replace = existing.sidechain && !sidechain ? true : existing.sidechain === sidechain && total > existing.total;
      if (!replace) return;
      Object.assign(existing.event, tokens, { cost_usd: cost, client_timestamp: existing.event.client_timestamp ?? base.client_timestamp });
      existing.total = total;
      existing.sidechain = sidechain;
      this.lastKey = key;
      return;
    }
    const extra: Record<string, unknown> = {};
    if (msgId) extra.message_id = msgId;
    if (usage.speed === 'fast') extra.speed = 'fast';
    const event: EventInputRaw = eventOf(base, 'llm_request', {
      event_id: reqId
        ? llmRequestEventId(AGENT, reqId)
        : channelEventId('llm', AGENT, base.session_id, msgId ?? str(o.uuid) ?? `line-${lineNo}`),
      model: model && usage.speed === 'fast' && !model.endsWith('-fast') ? `${model}-fast` : model,
      tokens_in: tokens.tokens_in,
      tokens_out: tokens.tokens_out,
      cache_read_tokens: tokens.cache_read_tokens,
      cache_write_tokens: tokens.cache_write_tokens,
      cache_write_1h_tokens: tokens.cache_write_1h_tokens,
      cost_usd: cost,
      status: 'success',
      metadata: this.metaFor(o, extra),
    });
    this.out.push(event);
    const group: Group | undefined = key ? { event, total, sidechain, msgId: msgId! } : undefined;
    if (blocks) this.addAnswer(group, o, base, blocks, reqId ?? msgId ?? str(o.uuid) ?? `line-${lineNo}`);
    if (key && group) {
      this.groups.set(key, group);
      this.lastKey = key;
    }
  }

  /** Adds a line's text and thinking blocks to its response's `response` event (made on first need). */
  private addAnswer(group: Group | undefined, o: Record<string, unknown>, base: Omit<EventInputRaw, 'event_type'>, blocks: { text: string[]; thinking: string[] }, discriminator: string): void {
    let a = group?.answer;
    if (!a) {
      const msg = o.message as Record<string, unknown>;
      a = {
        event: eventOf(base, 'response', {
          event_id: channelEventId('response', AGENT, base.session_id, discriminator),
          model: str(msg.model),
          metadata: this.metaFor(o, {}),
        }),
        text: [],
        thinking: [],
      };
      this.out.push(a.event);
      if (group) group.answer = a;
    }
    const added = addOnce(a.text, blocks.text) + addOnce(a.thinking, blocks.thinking);
    if (!added) return;
    const meta = a.event.metadata as Record<string, unknown>;
    meta.text = clip(a.text.join('\n\n'), ANSWER_TEXT_MAX);
    meta.thinking = clip(a.thinking.join('\n\n'), ANSWER_TEXT_MAX);
  }

  private user(o: Record<string, unknown>, lineNo: number): void {
    const msg = o.message;
    if (!isObj(msg)) return;
    const content = msg.content;
    const base = this.base(o, lineNo);
    if (!base) return;
    const sidechain = o.isSidechain === true;
    const at = base.client_timestamp ? Date.parse(base.client_timestamp) : NaN;
    let promptText: string | undefined;
    let hasResult = false;
    if (typeof content === 'string') promptText = content;
    else if (Array.isArray(content)) {
      const texts: string[] = [];
      for (const b of content) {
        if (!isObj(b)) continue;
        if (b.type === 'tool_result') {
          hasResult = true;
          this.toolResult(o, b, base, at);
        } else if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
      }
      if (!hasResult && texts.length) promptText = texts.join('\n');
    }
    if (promptText === undefined || o.isMeta === true || o.isCompactSummary === true) return;
    if (sidechain) {
      const agentId = str(o.agentId) ?? this.info.agentId;
      if (this.subagentStarted || !agentId) return;
      this.subagentStarted = true;
      this.out.push(eventOf(base, 'subagent_start', {
        event_id: channelEventId('subagent_start', AGENT, base.session_id, agentId),
        metadata: this.metaFor(o, { agent_id: agentId, prompt: clip(promptText, 500) }),
      }));
      return;
    }
    const promptId = str(o.promptId) ?? str(o.uuid) ?? `line-${lineNo}`;
    this.out.push(eventOf(base, 'user_prompt', {
      event_id: channelEventId('user_prompt', AGENT, base.session_id, promptId),
      metadata: this.metaFor(o, { prompt: clip(promptText, 2000), uuid: str(o.uuid) }),
    }));
  }

  private toolResult(o: Record<string, unknown>, b: Record<string, unknown>, base: Omit<EventInputRaw, 'event_type'>, at: number): void {
    const id = str(b.tool_use_id);
    if (!id) return;
    const status = b.is_error === true ? 'error' : 'success';
    const output: { output?: string; output_chars?: number; subagent_id?: string } = toolOutputFields(resultText(b.content));
    // An Agent (Task) call names the subagent it ran: its turns are nested under the call.
    const subagent = isObj(o.toolUseResult) ? str(o.toolUseResult.agentId) : undefined;
    if (subagent) output.subagent_id = subagent;
    const done = this.tools.complete(id, at, status, undefined, output.output || subagent ? output : undefined);
    if (!done) return;
    this.out.push(eventOf(base, 'tool_use', {
      event_id: toolEventId(AGENT, id),
      tool_name: done.name,
      status,
      duration_ms: done.duration,
      metadata: this.metaFor(o, { tool_use_id: id, output: output.output, output_chars: output.output_chars, subagent_id: subagent }),
    }));
  }

  private compaction(o: Record<string, unknown>, lineNo: number): void {
    const base = this.base(o, lineNo);
    if (!base) return;
    const cm = isObj(o.compactMetadata) ? o.compactMetadata : {};
    this.out.push(eventOf(base, 'compaction', {
      event_id: channelEventId('compaction', AGENT, base.session_id, str(o.uuid) ?? `line-${lineNo}`),
      metadata: this.metaFor(o, { trigger: str(cm.trigger), pre_tokens: num(cm.preTokens) || undefined }),
    }));
  }

  drain(final: boolean): EventInputRaw[] {
    // Held: the last response (a later line may carry more output) and, until the pass ends,
    // sidechain responses (their main-chain copy may still come). Dropped: sidechain responses
    // whose message.id the main chain has (a replay under another requestId).
    const held = new Set<EventInputRaw>();
    const dropped = new Set<EventInputRaw>();
    const kept = new Map<string, Group>();
    const session = (g: Group) => g.event.session_id;
    for (const [key, g] of this.groups) {
      if (g.sidechain && this.index.has(session(g), g.msgId)) {
        dropped.add(g.event);
        if (g.answer) dropped.add(g.answer.event);
      } else if (!final && (key === this.lastKey || g.sidechain)) {
        held.add(g.event);
        if (g.answer) held.add(g.answer.event);
        kept.set(key, g);
      }
    }
    const out = this.out.filter((e) => !held.has(e) && !dropped.has(e));
    this.out = this.out.filter((e) => held.has(e));
    this.groups.clear();
    for (const [key, g] of kept) this.groups.set(key, g);
    if (!this.lastKey || !kept.has(this.lastKey)) this.lastKey = null;
    this.tools.detachEvents();
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.skipped;
    this.skipped = [];
    return s;
  }

  state(): ClaudeState {
    return {
      v: 1,
      tools: this.tools.toJSON(),
      subagentStarted: this.subagentStarted,
      transcriptNoted: this.transcriptNoted,
    };
  }
}

/** The text of a `tool_result` block's content: a string, or its text blocks (images left out). */
function resultText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let out = '';
  for (const c of content) {
    if (!isObj(c) || c.type !== 'text' || typeof c.text !== 'string') continue;
    out = out ? `${out}\n${c.text}` : c.text;
  }
  return out || undefined;
}

/** A short, lean summary of a tool's input for the event metadata. */
export function toolInputSummary(input: unknown): Record<string, string> | undefined {
  if (!isObj(input)) return undefined;
  const out: Record<string, string> = {};
  for (const k of ['command', 'file_path', 'path', 'pattern', 'url', 'description', 'subagent_type', 'query', 'prompt']) {
    const v = clip(input[k], 200);
    if (v) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}
