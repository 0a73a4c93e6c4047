/**
 * The owner lock beside the database (`<db>.lock`, JSON `{pid, port, host, started_at, key}`): one
 * writer per database file (DESIGN §3). Other processes read it to find the live server's API.
 *
 * `port` is 0 while the owner opens the database and does not listen yet. `key` is a secret of
 * this server run: the file is readable by its user only (0600), so a client that sends the key
 * runs as the server's user (see `importAccess.ts`).
 *
 * A live pid alone does not prove ownership (pids are reused, e.g. after a reboot): a listening
 * owner must answer `GET /api/health` as AgentMonitor with that pid (`probeOwner`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';

export interface LockInfo {
  pid: number;
  port: number;
  host: string;
  started_at: string;
  key?: string;
}

/** Who holds the database, as far as the lock and the recorded server's answer tell. */
export type Owner =
  | { kind: 'none' }
  /** A live process that is not the AgentMonitor the lock names: the lock may be taken over. */
  | { kind: 'stale'; lock: LockInfo; reason: string }
  | { kind: 'server'; lock: LockInfo; url: string }
  /** Live, and neither proved nor disproved (starting, or slow to answer): treat as owner. */
  | { kind: 'unverified'; lock: LockInfo; reason: string };

const PROBE_TIMEOUT_MS = 1000;

export function lockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

export function newLockKey(): string {
  return crypto.randomBytes(32).toString('hex');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner if that process is still alive (not proof that it is AgentMonitor). */
function readLiveLock(dbPath: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(dbPath), 'utf8')) as LockInfo;
    if (typeof info.pid !== 'number' || typeof info.port !== 'number') return null;
    if (info.pid !== process.pid && !alive(info.pid)) return null;
    return info;
  } catch {
    return null;
  }
}

/** The recorded server's base URL (a wildcard bind is reached on 127.0.0.1). */
export function lockUrl(lock: LockInfo): string {
  const host = !lock.host || lock.host === '0.0.0.0' || lock.host === '::' ? '127.0.0.1' : lock.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${lock.port}`;
}

async function probe(lock: LockInfo, token: string | null): Promise<Owner> {
  const url = lockUrl(lock);
  const named = `pid ${lock.pid} is alive but`;
  let res: Response;
  try {
    res = await fetch(`${url}/api/health`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError') return { kind: 'unverified', lock, reason: `${url} did not answer within ${PROBE_TIMEOUT_MS} ms` };
    return { kind: 'stale', lock, reason: `${named} nothing answers at ${url} (${err.cause?.code ?? err.message})` };
  }
  // Without our token a non-loopback bind refuses reads; its realm still says AgentMonitor.
  if (res.status === 401 && /agentmonitor/i.test(res.headers.get('www-authenticate') ?? '')) {
    return { kind: 'unverified', lock, reason: `${url} wants a token to prove it is pid ${lock.pid}` };
  }
  const body = (await res.json().catch(() => null)) as { service?: unknown; pid?: unknown } | null;
  if (res.ok && body?.service === 'agentmonitor' && body.pid === lock.pid) return { kind: 'server', lock, url };
  const seen = body?.service === 'agentmonitor' ? `AgentMonitor pid ${String(body.pid)}` : `HTTP ${res.status}, not AgentMonitor`;
  return { kind: 'stale', lock, reason: `${named} ${url} answers as ${seen}` };
}

/** Who owns the database: checks that a live lock's server answers as AgentMonitor with its pid. */
export async function probeOwner(dbPath: string, token: string | null): Promise<Owner> {
  const lock = readLiveLock(dbPath);
  if (!lock) return { kind: 'none' };
  if (lock.pid === process.pid) return { kind: 'server', lock, url: lockUrl(lock) };
  if (!lock.port) return { kind: 'unverified', lock, reason: `pid ${lock.pid} is still starting (not listening yet)` };
  return probe(lock, token);
}

/** Write the lock readable by this user only, replacing any older file in one step. */
function writeLock(dbPath: string, info: LockInfo): void {
  const tmp = `${lockPath(dbPath)}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, lockPath(dbPath));
}

export interface AcquireOptions {
  log: Logger;
  /** Sent to the recorded server's health check (needed when it is bound off loopback). */
  token: string | null;
}

/**
 * Take (or update) the lock; rejects when another AgentMonitor server owns the database. A lock
 * whose live pid is not that server is taken over, with a log line saying why.
 */
export async function acquireLock(dbPath: string, info: Omit<LockInfo, 'pid' | 'started_at'>, opts: AcquireOptions): Promise<() => void> {
  const owner = await probeOwner(dbPath, opts.token);
  if ((owner.kind === 'server' || owner.kind === 'unverified') && owner.lock.pid !== process.pid) {
    const where = owner.kind === 'server' ? owner.url : `${lockUrl(owner.lock)}; ${owner.reason}`;
    throw new Error(`database ${dbPath} is owned by another AgentMonitor server (pid ${owner.lock.pid}, ${where}); stop it or use --db to pick another database`);
  }
  if (owner.kind === 'stale') opts.log.warn(`taking over the lock ${lockPath(dbPath)}: ${owner.reason}`);
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  writeLock(dbPath, { ...info, pid: process.pid, started_at: new Date().toISOString() });
  return () => {
    const cur = readLiveLock(dbPath);
    if (cur && cur.pid === process.pid) fs.rmSync(lockPath(dbPath), { force: true });
  };
}
