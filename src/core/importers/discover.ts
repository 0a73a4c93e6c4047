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
import type { AgentDirs } from '../agents/folders';
import { dirsByKind, LOG_KINDS, LOG_SOURCES } from './logSources';
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

/** The log files in each agent's folders, every registered kind's, in `LOG_KINDS` order. */
export async function discoverLogs(agentDirs: AgentDirs): Promise<LogFile[]> {
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
  const dirs = dirsByKind(agentDirs);
  for (const kind of LOG_KINDS) {
    const src = LOG_SOURCES[kind];
    await add(await rootsOf(dirs[kind] ?? [], [...src.subdirs]), kind, src.accepts);
  }
  return files;
}

/** Whether a log file belongs to a session whose cwd is inside one of `folders` (its source's `inCwd`). */
export async function fileMatchesCwd(file: LogFile, folders: string[]): Promise<boolean> {
  if (!folders.length) return true;
  return LOG_SOURCES[file.kind].inCwd(file.path, folders.map((f) => path.resolve(f)));
}
