/**
 * A real server on a temporary database and a free loopback port, for integration tests.
 */
import * as path from 'node:path';
import { after } from 'node:test';
import type { ServerConfig } from '../../src/core/config';
import { silentLogger, stderrLogger } from '../../src/core/log';
import { startServer, type RunningServer } from '../../src/core/server/server';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface TestServer extends RunningServer {
  dbPath: string;
  dir: string;
  /** fetch relative to the server, with JSON helpers. */
  get<T = unknown>(p: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(p: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}, opts: { dir?: string } = {}): Promise<TestServer> {
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-test-'));
  const dbPath = overrides.dbPath ?? path.join(dir, 'agentmonitor.db');
  const log = process.env.AGENTMONITOR_TEST_LOG ? stderrLogger('test-server', true) : silentLogger;
  const env = { HOME: dir, CLAUDE_CONFIG_DIR: path.join(dir, 'claude'), CODEX_HOME: path.join(dir, 'codex') } as NodeJS.ProcessEnv;
  const s = await startServer({ port: 0, host: '127.0.0.1', dbPath, watchLogs: false, ...overrides }, { log, env });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await s.close();
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  after(close);
  const parse = async (r: Response) => {
    const text = await r.text();
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return text;
    }
  };
  return {
    ...s,
    close,
    dbPath,
    dir,
    async get(p) {
      const r = await fetch(s.url + p);
      return { status: r.status, body: await parse(r) };
    },
    async post(p, body, headers = {}) {
      const r = await fetch(s.url + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.status, body: await parse(r) };
    },
  };
}
