import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh temporary directory, removed when the test process exits (safe to call in `before`
 * hooks, unlike an `after` registered from inside one).
 */
export function tmpDir(prefix = 'agentmonitor-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/**
 * What a crash at this instant would leave on disk: a copy of the database file and everything
 * beside it that shares its name (payloads, journal segments, backup). Returns the copy's path.
 */
export function crashCopy(dbPath: string): string {
  const dir = tmpDir();
  const base = path.basename(dbPath);
  for (const f of fs.readdirSync(path.dirname(dbPath))) if (f.startsWith(base)) fs.copyFileSync(path.join(path.dirname(dbPath), f), path.join(dir, f));
  return path.join(dir, base);
}
