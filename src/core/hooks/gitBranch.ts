/**
 * The git branch of a working directory, read from `.git/HEAD` directly (no git process): walks up
 * from the directory to the repository root and follows a worktree's or submodule's `.git` file
 * (`gitdir: <path>`). Results are cached per directory with a size bound and a short lifetime, so a
 * busy session costs one lookup a minute and a checkout is noticed soon after.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_DEPTH = 64;

function readSmall(file: string): string | null {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 64 * 1024) return null;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The directory holding HEAD for the repository that contains `dir`, or null outside any repository. */
export function findGitDir(dir: string): string | null {
  let current = path.resolve(dir);
  for (let i = 0; i < MAX_DEPTH; i++) {
    const dotGit = path.join(current, '.git');
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(dotGit);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) return dotGit;
    if (st?.isFile()) {
      const text = readSmall(dotGit);
      const m = text ? /^gitdir:\s*(.+?)\s*$/m.exec(text) : null;
      return m ? path.resolve(current, m[1]) : null;
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
  return null;
}

/** Branch name from HEAD, or null when HEAD is detached or unreadable. */
export function readGitBranch(dir: string): string | null {
  const gitDir = findGitDir(dir);
  if (!gitDir) return null;
  const head = readSmall(path.join(gitDir, 'HEAD'));
  const m = head ? /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head) : null;
  return m ? m[1] : null;
}

export interface BranchCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
  read?: (dir: string) => string | null;
}

/** A bounded, time-limited cache in front of `readGitBranch`. */
export class GitBranchCache {
  private readonly entries = new Map<string, { branch: string | null; at: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly read: (dir: string) => string | null;

  constructor(opts: BranchCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 256;
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.read = opts.read ?? readGitBranch;
  }

  get size(): number {
    return this.entries.size;
  }

  branchFor(dir: string): string | null {
    const t = this.now();
    const hit = this.entries.get(dir);
    if (hit && t - hit.at < this.ttlMs) return hit.branch;
    const branch = this.read(dir);
    this.entries.delete(dir);
    this.entries.set(dir, { branch, at: t });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return branch;
  }
}
