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

function freePort(): Promise<number> {
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

/** Start (once per test process) a cluster on 127.0.0.1. */
export async function startCluster(): Promise<TestCluster> {
  if (running) return running;
  const bin = binDir()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-pg-'));
  const data = path.join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    if (asRoot()) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  if (asRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync off: a test cluster is thrown away, never recovered.
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=16MB`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
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
