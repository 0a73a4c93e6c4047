/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `pg_ctl start` on a free
 * loopback port with trust auth, removed when the test process exits. Needs Debian's postgresql
 * package (`.ci/run` installs it); as root the cluster runs as the `postgres` user (PostgreSQL
 * refuses to run as root). `postgresSkipReason()` says why a machine cannot run these tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

function binDir(): string | null {
  return BIN_DIRS.find((d) => fs.existsSync(path.join(d, 'initdb'))) ?? null;
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Null when a cluster can be started here, else why not (the tests skip with it). */
export function postgresSkipReason(): string | null {
  if (!binDir()) return `PostgreSQL 15+ is not installed (no initdb in ${BIN_DIRS.join(', ')}; apt-get install postgresql)`;
  if (asRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root but there is no postgres user to run the cluster as';
  return null;
}

export interface TestCluster {
  port: number;
  /** A URL of a fresh database on the cluster (`createDatabase`). */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let running: TestCluster | null = null;

const PREFIX = 'agentmonitor-pg-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stop and remove the clusters of test processes that died without their exit handler (killed by
 * a signal, a cancelled test file): each cluster's dir names its owner's pid in `owner.pid`.
 */
function removeOrphans(run: (cmd: string, args: string[]) => void): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    try {
      if (fs.existsSync(path.join(dir, 'data', 'postmaster.pid'))) run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Start (once per process) a cluster on 127.0.0.1. Tests run it without fsync; `durable` (the
 * benchmark) keeps PostgreSQL's defaults, so commits cost what they cost on a real server.
 */
export async function startCluster(opts: { durable?: boolean } = {}): Promise<TestCluster> {
  if (running) return running;
  const bin = binDir()!;
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    if (asRoot()) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  removeOrphans(run);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  const data = path.join(dir, 'data');
  if (asRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync off: a test cluster is thrown away, never recovered.
  const fast = opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB';
  const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=60${fast}`;
  run('pg_ctl', ['-D', data, '-o', settings, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  running = {
    port,
    async createDatabase(name) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    stop,
  };
  return running;
}

/** A team server's service token in the team tests (AGENTMONITOR_TOKEN): its writes keep each event's own person. */
export const SERVICE_TOKEN = 'contract-suite-service-token';

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as T };
}

/** POST as the service token. */
export async function postJson<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as T };
}
