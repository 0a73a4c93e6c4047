/**
 * Where demo data lives, and the guards that keep it from mixing with real data silently: `demo`
 * writes to its own database (`~/.agentmonitor/demo.db`) served on its own port (3143) unless told
 * otherwise; writing into a database that holds real sessions needs `--mix-with-real-data`; and
 * `demo --remove` deletes a demo database (never one with real sessions in it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readApiGet } from '../contracts/apiRoutes';
import { silentLogger } from '../log';
import { openCore } from '../runtime';
import { loadConfig } from '../config';

/** The port `demo --live` and `serve --demo` listen on by default (3142 stays the real server's). */
export const DEMO_PORT = 3143;

export function demoDbPath(): string {
  return path.join(os.homedir(), '.agentmonitor', 'demo.db');
}

/** Demo session ids (`cli/demo.ts`) all start with this. */
export const DEMO_SESSION_PREFIX = 'demo-';

/** The command that shows a demo database in the dashboard. */
export function serveCommandFor(dbPath: string): string {
  return path.resolve(dbPath) === demoDbPath() ? 'agentmonitor serve --demo' : `agentmonitor serve --db ${dbPath} --port ${DEMO_PORT}`;
}

/** A session that is not demo data in a database nobody serves (null: none, or no database). */
export async function realSessionInFile(dbPath: string): Promise<{ sessions: number; example: string } | null> {
  if (!fs.existsSync(dbPath)) return null;
  const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath }), log: silentLogger, readOnly: true });
  try {
    const r = await core.store.query('nonDemoSessions', {});
    return r.sessions && r.example !== null ? { sessions: r.sessions, example: r.example } : null;
  } finally {
    await core.close();
  }
}

/** A session that is not demo data in the database a running server holds (pages through its sessions). */
export async function realSessionOnServer(url: string, headers: Record<string, string>): Promise<{ example: string } | null> {
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${url}/api/sessions?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers });
    if (!res.ok) throw new Error(`GET ${url}/api/sessions answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const page = await readApiGet('/api/sessions', res);
    const real = page.sessions.find((s) => !s.session_id.startsWith(DEMO_SESSION_PREFIX));
    if (real) return { example: real.session_id };
    cursor = page.next_cursor;
  } while (cursor);
  return null;
}

export function refuseRealData(dbPath: string, example: string, what: string): string {
  return (
    `${dbPath} holds real data (session ${example}, not from agentmonitor demo): ${what}. ` +
    `Demo data goes to its own database by default (${demoDbPath()}, no --db needed)`
  );
}

/** Every file of a database: the file itself, its journal, payloads, backup, digests, lock and temp files. */
export function databaseFiles(dbPath: string): string[] {
  const dir = path.dirname(dbPath);
  const base = path.basename(dbPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((f) => f === base || f.startsWith(`${base}.`)).map((f) => path.join(dir, f));
}
