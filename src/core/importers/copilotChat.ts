/**
 * GitHub Copilot Chat in VS Code: the chat session files VS Code writes for each chat, in its user
 * folder (`~/.config/Code/User` on Linux, `~/Library/Application Support/Code/User` on macOS,
 * `%APPDATA%\Code\User` on Windows):
 * `workspaceStorage/<hash>/chatSessions/<session>.jsonl` for a window with a folder (the hash's
 * `workspace.json` names it: `{"folder": "file:///…"}` or `{"workspace": "file:///….code-workspace"}`),
 * `globalStorage/emptyWindowChatSessions/<session>.jsonl` for an empty window; older versions wrote
 * one `<session>.json` document (VS Code's `ISerializableChatData`). The format, from VS Code's
 * chat model and its object mutation log; the traps:
 * - A `.jsonl` file is a journal, not a list of records: `{"kind":0,"v":state}` is the whole
 *   session, `{"kind":1,"k":path,"v":value}` sets the value at a path (`["requests",3,"result"]`),
 *   `{"kind":2,"k":path,"v":[items],"i":n}` truncates the array at the path to n (when given) and
 *   appends, `{"kind":3,"k":path}` deletes. VS Code rewrites the file as one snapshot when the
 *   journal grows. So the file is replayed whole on every change (`wholeFile`), and each request
 *   becomes events with ids of its own (the session and `requestId`): a replay adds nothing.
 * - A request's tokens arrive late, when its `result` is set: `result.metadata.promptTokens` /
 *   `outputTokens` and the model that served it, `resolvedModel` (newer versions also keep
 *   `promptTokens` / `completionTokens` on the request). They are one pair per request, not per
 *   model call: no cache split, and a request that made several calls (agent mode's tool rounds)
 *   is under-counted. Such usage is stored marked `approximate` and shown so.
 * - Tool calls are response parts of kind `toolInvocationSerialized` (`toolId`, `toolCallId`,
 *   `isComplete`).
 * A real Copilot sign-in cannot run in the test environment: the tests use files built to this
 * format.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, type EventBase, type LogParser, type SkippedLine } from './types';

export const COPILOT_CHAT_AGENT = 'copilot-chat';
const AGENT = COPILOT_CHAT_AGENT;
/** Journal lines replayed at most per file (VS Code compacts long before). */
const MAX_ENTRIES = 200_000;
/** Path segments a journal entry may name. */
const MAX_PATH = 32;

/** Whether a path is a Copilot Chat session file of VS Code's. */
export function isCopilotChatFile(p: string): boolean {
  if (!p.endsWith('.jsonl') && !p.endsWith('.json')) return false;
  const parts = p.split(/[\\/]/);
  const dir = parts[parts.length - 2];
  return dir === 'chatSessions' || dir === 'emptyWindowChatSessions';
}

const projectCache = new Map<string, string | null>();

/** The folder a `workspaceStorage/<hash>/chatSessions/…` file's window had open, from `workspace.json`. */
export function copilotChatProject(file: string): string | undefined {
  const dir = path.dirname(path.dirname(file));
  const hit = projectCache.get(dir);
  if (hit !== undefined) return hit ?? undefined;
  let found: string | null = null;
  try {
    const o = JSON.parse(fs.readFileSync(path.join(dir, 'workspace.json'), 'utf8')) as unknown;
    const uri = isObj(o) ? (str(o.folder) ?? str(o.workspace)) : undefined;
    if (uri?.startsWith('file:')) {
      const p = fileURLToPath(uri);
      found = uri === str((o as Record<string, unknown>).workspace) ? path.dirname(p) : p;
    }
  } catch {
    /* an empty window, or no workspace.json */
  }
  if (projectCache.size > 1000) projectCache.clear();
  projectCache.set(dir, found);
  return found ?? undefined;
}

type Json = unknown;

/** Replays a journal's entries onto its state (VS Code's object mutation log). */
export function replayChatJournal(text: string, skipped: SkippedLine[]): Record<string, unknown> | null {
  let state: Json = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && n < MAX_ENTRIES; n++) {
    const t = lines[n].trim();
    if (!t) continue;
    let e: unknown;
    try {
      e = JSON.parse(t);
    } catch (err) {
      // The last line may be one VS Code is still writing.
      if (n < lines.length - 1 && lines.slice(n + 1).some((l) => l.trim())) skipped.push({ line: n + 1, reason: `malformed JSON (${(err as Error).message.slice(0, 80)})` });
      continue;
    }
    if (!isObj(e) || typeof e.kind !== 'number') {
      skipped.push({ line: n + 1, reason: 'not a journal entry ({kind, k, v})' });
      continue;
    }
    if (e.kind === 0) {
      state = e.v;
      continue;
    }
    const k = Array.isArray(e.k) && e.k.length <= MAX_PATH && e.k.every((s) => typeof s === 'string' || typeof s === 'number') ? (e.k as (string | number)[]) : null;
    if (!k || !k.length || state === null) {
      skipped.push({ line: n + 1, reason: `journal entry of kind ${e.kind} without a path or before the snapshot` });
      continue;
    }
    const parent = walk(state, k.slice(0, -1));
    const key = k[k.length - 1];
    if (!parent) {
      skipped.push({ line: n + 1, reason: `path ${JSON.stringify(k)} not found` });
      continue;
    }
    if (e.kind === 1) (parent as Record<string | number, Json>)[key] = e.v;
    else if (e.kind === 3) delete (parent as Record<string | number, Json>)[key];
    else if (e.kind === 2) {
      const arr = (parent as Record<string | number, Json>)[key];
      if (!Array.isArray(arr)) {
        skipped.push({ line: n + 1, reason: `path ${JSON.stringify(k)} is not an array` });
        continue;
      }
      if (typeof e.i === 'number' && e.i >= 0 && e.i < arr.length) arr.length = e.i;
      if (Array.isArray(e.v)) for (const item of e.v) arr.push(item);
    } else skipped.push({ line: n + 1, reason: `unknown journal entry kind ${e.kind}` });
  }
  return isObj(state) ? state : null;
}

function walk(state: Json, p: (string | number)[]): object | null {
  let cur: Json = state;
  for (const s of p) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string | number, Json>)[s];
  }
  return cur !== null && typeof cur === 'object' ? cur : null;
}

/** A model id as shown and priced: VS Code's `copilot/<model>` without its vendor. */
function modelName(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const i = id.lastIndexOf('/');
  return i >= 0 ? id.slice(i + 1) : id;
}

function responseText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const p of parts) {
    if (!isObj(p)) continue;
    if ((p.kind === undefined || p.kind === 'markdownContent') && typeof p.value === 'string') text += p.value;
    else if (p.kind === 'markdownContent' && isObj(p.content) && typeof p.content.value === 'string') text += p.content.value;
  }
  return text.trim();
}

function messageOf(inv: Record<string, unknown>, key: string): string | undefined {
  const m = inv[key];
  if (typeof m === 'string') return m;
  return isObj(m) && typeof m.value === 'string' ? m.value : undefined;
}

/** Turns one session file (a journal or a legacy document) into events; read whole on every change. */
export class CopilotChatParser implements LogParser {
  private out: EventInputRaw[] = [];
  private skipped: SkippedLine[] = [];

  constructor(private readonly file: string) {}

  line(text: string): void {
    let state: Record<string, unknown> | null;
    if (this.file.endsWith('.jsonl')) state = replayChatJournal(text, this.skipped);
    else {
      try {
        const o = JSON.parse(text) as unknown;
        state = isObj(o) ? o : null;
      } catch (e) {
        this.skipped.push({ line: 1, reason: `malformed JSON (${(e as Error).message.slice(0, 80)})` });
        return;
      }
    }
    if (!state) {
      this.skipped.push({ line: 1, reason: 'no chat session in the file' });
      return;
    }
    this.session(state);
  }

  private session(s: Record<string, unknown>): void {
    const sid = str(s.sessionId) ?? path.basename(this.file).replace(/\.jsonl?$/, '');
    const requests = Array.isArray(s.requests) ? s.requests.filter(isObj) : [];
    if (!requests.length) return;
    const project = this.file.split(/[\\/]/).includes('emptyWindowChatSessions') ? undefined : copilotChatProject(this.file);
    const at = (ms: unknown) => (typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined);
    const base = (ts: string | undefined): EventBase => ({ session_id: sid, agent_type: AGENT, source: 'import', client_timestamp: ts, project, branch: undefined });
    this.out.push(eventOf(base(at(s.creationDate) ?? at(requests[0].timestamp)), 'session_start', {
      event_id: channelEventId('session_start', AGENT, sid, 'chat'),
      metadata: { transcript_path: this.file, title: clip(s.customTitle, 200) },
    }));
    for (const r of requests) {
      const requestId = str(r.requestId);
      if (!requestId) continue;
      const ts = at(r.timestamp);
      const msg = isObj(r.message) ? str(r.message.text) : undefined;
      if (msg) {
        this.out.push(eventOf(base(ts), 'user_prompt', {
          event_id: channelEventId('prompt', AGENT, sid, requestId),
          metadata: { prompt: clip(msg, 2000), request_id: requestId },
        }));
      }
      const result = isObj(r.result) ? r.result : null;
      const meta = result && isObj(result.metadata) ? result.metadata : {};
      const done = !!result || (isObj(r.modelState) && r.modelState.value !== 0 && r.modelState.value !== 4);
      const model = modelName(str(meta.resolvedModel) ?? str(r.modelId));
      const tokensIn = num(meta.promptTokens) || num(r.promptTokens);
      const tokensOut = num(meta.outputTokens) || num(r.completionTokens);
      const failed = !!(result && isObj(result.errorDetails));
      if (done && tokensIn + tokensOut > 0) {
        const timings = result && isObj(result.timings) ? result.timings : {};
        this.out.push(eventOf(base(ts), 'llm_request', {
          event_id: llmRequestEventId(AGENT, `${sid}#${requestId}`),
          model,
          tokens_in: tokensIn,
          tokens_out: tokensOut,
          duration_ms: num(timings.totalElapsed) || undefined,
          status: failed ? 'error' : 'success',
          metadata: { request_id: requestId, approximate: true, agent_mode: isObj(r.agent) ? str(r.agent.id) : undefined },
        }));
      }
      const text = done ? responseText(r.response) : '';
      if (text) {
        this.out.push(eventOf(base(ts), 'response', {
          event_id: channelEventId('response', AGENT, sid, requestId),
          model,
          metadata: { text: clip(text, ANSWER_TEXT_MAX), request_id: requestId },
        }));
      }
      for (const p of Array.isArray(r.response) ? r.response : []) {
        if (!isObj(p) || p.kind !== 'toolInvocationSerialized') continue;
        const callId = str(p.toolCallId);
        if (!callId) continue;
        this.out.push(eventOf(base(ts), 'tool_use', {
          event_id: toolEventId(AGENT, `${sid}#${callId}`),
          tool_name: str(p.toolId) ?? 'unknown',
          status: p.isComplete === true ? (p.isConfirmed === false ? 'error' : 'success') : done ? 'error' : 'running',
          metadata: { call_id: callId, request_id: requestId, input: clip(messageOf(p, 'pastTenseMessage') ?? messageOf(p, 'invocationMessage'), 300) },
        }));
      }
    }
  }

  drain(): EventInputRaw[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.skipped;
    this.skipped = [];
    return s;
  }

  state(): null {
    return null;
  }
}
