/**
 * The owner lock beside the database (`<db>.lock`, JSON `{pid, port, host, started_at}`): one
 * writer per database file (DESIGN §3). Other processes read it to find the live server's API.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LockInfo {
  pid: number;
  port: number;
  host: string;
  started_at: string;
}

export function lockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner if that process is still alive. */
export function readLiveLock(dbPath: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(dbPath), 'utf8')) as LockInfo;
    if (typeof info.pid !== 'number' || typeof info.port !== 'number') return null;
    if (info.pid !== process.pid && !alive(info.pid)) return null;
    return info;
  } catch {
    return null;
  }
}

/** Take the lock; throws when another live process owns the database. */
export function acquireLock(dbPath: string, info: Omit<LockInfo, 'pid' | 'started_at'>): () => void {
  const existing = readLiveLock(dbPath);
  if (existing && existing.pid !== process.pid) {
    throw new Error(
      `database ${dbPath} is owned by another AgentMonitor server (pid ${existing.pid}, http://${existing.host}:${existing.port}); ` +
        'stop it or use --db to pick another database',
    );
  }
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const mine: LockInfo = { ...info, pid: process.pid, started_at: new Date().toISOString() };
  fs.writeFileSync(lockPath(dbPath), JSON.stringify(mine) + '\n');
  return () => {
    const cur = readLiveLock(dbPath);
    if (cur && cur.pid === process.pid) fs.rmSync(lockPath(dbPath), { force: true });
  };
}
