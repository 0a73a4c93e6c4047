/**
 * OpenCode before its database: one JSON file per record under `<data>/storage/`:
 * `message/<session id>/<message id>.json` (what `message.data` holds now, with `id` and
 * `sessionID`), `part/<message id>/<part id>.json`, `session/<project id>/<session id>.json`
 * (`directory`, `parentID`, `title`, `time`). Each message file is read whole when it changes (it is
 * rewritten as the message streams) with its parts and session beside it, and turned into the same
 * events, with the same ids, as the database reader (`OpencodeEvents`): a history that is in both
 * (a newer opencode copies it into its database) counts once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventInputRaw } from '../contracts/events';
import { OpencodeEvents, type SessionRow } from './opencode';
import { isObj, str, type LogParser, type SkippedLine } from './types';

/** Parts read per message at most. */
const MAX_PARTS = 2000;
/** Sub-agent nesting followed up to the root session. */
const MAX_DEPTH = 16;

/** Whether a path is a message file of OpenCode's JSON storage (`storage/message/<session>/<message>.json`). */
export function isOpencodeMessageFile(p: string): boolean {
  if (!p.endsWith('.json')) return false;
  const parts = p.split(/[\\/]/);
  const n = parts.length;
  return n >= 4 && parts[n - 3] === 'message' && parts[n - 4] === 'storage';
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return isObj(o) ? o : null;
  } catch {
    return null;
  }
}

/** Session files by id, per storage folder (listed again when an id is not found). */
const sessionFiles = new Map<string, Map<string, string>>();

function sessionFile(storage: string, id: string): string | null {
  let byId = sessionFiles.get(storage);
  if (!byId?.has(id)) {
    byId = new Map();
    const dir = path.join(storage, 'session');
    try {
      for (const project of fs.readdirSync(dir)) {
        let names: string[];
        try {
          names = fs.readdirSync(path.join(dir, project));
        } catch {
          continue;
        }
        for (const name of names) if (name.endsWith('.json')) byId.set(name.slice(0, -5), path.join(dir, project, name));
      }
    } catch {
      /* no session folder */
    }
    if (sessionFiles.size > 16) sessionFiles.clear();
    sessionFiles.set(storage, byId);
  }
  return byId.get(id) ?? null;
}

class JsonEvents extends OpencodeEvents {
  constructor(
    file: string,
    private readonly storage: string,
  ) {
    super(file);
  }

  protected parts(messageId: string): Record<string, unknown>[] {
    const dir = path.join(this.storage, 'part', messageId);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().slice(0, MAX_PARTS);
    } catch {
      return [];
    }
    return names.map((n) => readJson(path.join(dir, n))).filter((p): p is Record<string, unknown> => !!p);
  }

  /** The session and its parents, as the database reader has them. */
  loadSession(id: string): void {
    let cur: string | null = id;
    for (let i = 0; cur && i < MAX_DEPTH && !this.sessions.has(cur); i++) {
      const file = sessionFile(this.storage, cur);
      const s = file ? readJson(file) : null;
      const time = s && isObj(s.time) ? s.time : {};
      const row: SessionRow = {
        parent: (s && str(s.parentID)) ?? null,
        directory: s ? str(s.directory) : undefined,
        title: s ? str(s.title) : undefined,
        created: typeof time.created === 'number' ? time.created : undefined,
      };
      this.sessions.set(cur, row);
      cur = row.parent;
    }
  }
}

export class OpencodeJsonParser implements LogParser {
  private readonly ev: JsonEvents;

  constructor(file: string) {
    this.ev = new JsonEvents(file, path.dirname(path.dirname(path.dirname(file))));
  }

  line(text: string, lineNo: number): void {
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch (e) {
      this.ev.skipped.push({ line: lineNo, reason: `malformed JSON (${(e as Error).message.slice(0, 80)})` });
      return;
    }
    const id = isObj(m) ? str(m.id) : undefined;
    const sessionId = isObj(m) ? str(m.sessionID) : undefined;
    if (!isObj(m) || !id || !sessionId) {
      this.ev.skipped.push({ line: lineNo, reason: 'not an OpenCode message (id, sessionID)' });
      return;
    }
    this.ev.loadSession(sessionId);
    this.ev.message(id, sessionId, m, lineNo);
  }

  drain(): EventInputRaw[] {
    const out = this.ev.out;
    this.ev.out = [];
    return out;
  }

  takeSkipped(): SkippedLine[] {
    const s = this.ev.skipped;
    this.ev.skipped = [];
    return s;
  }

  state(): null {
    return null;
  }
}
