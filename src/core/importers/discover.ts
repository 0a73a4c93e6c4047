/**
 * Finding the log files: Claude Code transcripts under `<config dir>/projects/**.jsonl`, Codex
 * rollouts under `<codex home>/sessions/**` and `archived_sessions/`, Gemini CLI chats under
 * `<gemini dir>/tmp/<project>/chats/`, Copilot CLI sessions under
 * `<copilot home>/session-state/<id>/events.jsonl` (`LOG_SOURCES`). A folder without those subfolders is
 * searched as it is. Main transcripts sort before their `subagents/` files, so the main chain is
 * seen first (trap 2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copilotChatProject } from './copilotChat';
import { geminiFileInfo } from './gemini';
import { LOG_KINDS, LOG_SOURCES } from './logSources';
import { sqliteSignature } from './sqliteCopy';
import type { LogKind } from './types';

export interface LogFile {
  path: string;
  kind: LogKind;
  size: number;
  mtimeMs: number;
}

const MAX_FILES = 200_000;
const MAX_DEPTH = 8;

async function walk(dir: string, depth: number, out: string[], accept: (p: string) => boolean, maxDepth = MAX_DEPTH): Promise<void> {
  if (depth > maxDepth || out.length >= MAX_FILES) return;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, depth + 1, out, accept, maxDepth);
    else if (e.isFile() && accept(p)) out.push(p);
  }
}

async function realDir(dir: string): Promise<string | null> {
  try {
    const r = await fs.promises.realpath(dir);
    return (await fs.promises.stat(r)).isDirectory() ? r : null;
  } catch {
    return null;
  }
}

async function rootsOf(dirs: string[], subdirs: string[]): Promise<string[]> {
  const roots = new Set<string>();
  for (const d of dirs) {
    const real = await realDir(d);
    if (!real) continue;
    const subs = (await Promise.all(subdirs.map((s) => realDir(path.join(real, s))))).filter((s): s is string => !!s);
    for (const s of subs.length ? subs : [real]) roots.add(s);
  }
  return [...roots];
}

export async function discoverLogs(claudeDirs: string[], codexDirs: string[], geminiDirs: string[] = [], copilotDirs: string[] = [], opencodeDirs: string[] = [], copilotChatDirs: string[] = []): Promise<LogFile[]> {
  const files: LogFile[] = [];
  const seen = new Set<string>();
  const add = async (roots: string[], kind: LogKind, accept: (p: string) => boolean) => {
    const found: string[] = [];
    // A database sits directly in its folder (OpenCode's also holds snapshot repositories).
    for (const r of roots) await walk(r, 0, found, accept, LOG_SOURCES[kind].database ? 0 : (LOG_SOURCES[kind].maxDepth ?? MAX_DEPTH));
    const key = LOG_SOURCES[kind].sortKey;
    if (key) found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    else found.sort();
    for (const p of found) {
      if (seen.has(p)) continue;
      seen.add(p);
      try {
        const st = LOG_SOURCES[kind].database ? sqliteSignature(p) : await fs.promises.stat(p);
        files.push({ path: p, kind, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        /* vanished */
      }
    }
  };
  const dirs: Record<LogKind, string[]> = { claude: claudeDirs, codex: codexDirs, gemini: geminiDirs, copilot: copilotDirs, 'copilot-store': copilotDirs, opencode: opencodeDirs, 'opencode-json': opencodeDirs, 'copilot-chat': copilotChatDirs };
  for (const kind of LOG_KINDS) {
    const src = LOG_SOURCES[kind];
    await add(await rootsOf(dirs[kind], [...src.subdirs]), kind, src.accepts);
  }
  return files;
}

/** Claude Code's folder name for a cwd (`/home/me/x.y` → `-home-me-x-y`). */
export function claudeProjectDirName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** Whether a log file belongs to a session whose cwd is inside one of `folders`. */
export async function fileMatchesCwd(file: LogFile, folders: string[]): Promise<boolean> {
  if (!folders.length) return true;
  const norm = folders.map((f) => path.resolve(f));
  if (file.kind === 'claude') {
    const parts = file.path.split(path.sep);
    const i = parts.lastIndexOf('projects');
    const dirName = i >= 0 ? parts[i + 1] : parts[parts.length - 2];
    return norm.some((f) => {
      const enc = claudeProjectDirName(f);
      return dirName === enc || dirName.startsWith(enc + '-');
    });
  }
  // An OpenCode database holds every project's sessions: it is read whole.
  if (file.kind === 'opencode' || file.kind === 'opencode-json') return true;
  // Copilot CLI's session store too, but it only stands in for sessions whose log is gone: an import
  // of some folders' sessions reads their logs and leaves the store (every project's calls) alone.
  if (file.kind === 'copilot-store') return false;
  if (file.kind === 'copilot-chat') {
    const project = copilotChatProject(file.path);
    return !!project && norm.some((f) => project === f || project.startsWith(f + path.sep));
  }
  const cwd = file.kind === 'gemini' ? (geminiFileInfo(file.path).project ?? null) : await firstLineCwd(file.path, file.kind === 'copilot' ? copilotCwd : codexCwd);
  return !!cwd && norm.some((f) => cwd === f || cwd.startsWith(f + path.sep));
}

function codexCwd(o: { type?: string; payload?: { cwd?: unknown } }): string | null {
  return o.type === 'session_meta' && typeof o.payload?.cwd === 'string' ? o.payload.cwd : null;
}

/** A Copilot CLI session's `session.start` names its working directory. */
function copilotCwd(o: { type?: string; data?: { context?: { cwd?: unknown } } }): string | null {
  return o.type === 'session.start' && typeof o.data?.context?.cwd === 'string' ? o.data.context.cwd : null;
}

async function firstLineCwd(file: string, cwdOf: (first: never) => string | null): Promise<string | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf.toString('utf8', 0, bytesRead).split('\n', 1)[0];
    return cwdOf(JSON.parse(first) as never);
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
