/**
 * How a log file's session is matched with `import --cwd DIR`: the pieces the agents' log sources
 * (`LogSource.inCwd`, `src/core/agents/`) use, each given folders already resolved.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether `cwd` is one of `folders` or inside one. */
export function cwdInside(cwd: string | null | undefined, folders: readonly string[]): boolean {
  return !!cwd && folders.some((f) => cwd === f || cwd.startsWith(f + path.sep));
}

/** Claude Code's folder name for a cwd (`/home/me/x.y` → `-home-me-x-y`). */
export function claudeProjectDirName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** A Claude Code transcript's project folder (`projects/<dir>/…`) is its cwd, encoded. */
export function claudeFileInCwd(file: string, folders: readonly string[]): boolean {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('projects');
  const dirName = i >= 0 ? parts[i + 1] : parts[parts.length - 2];
  return folders.some((f) => {
    const enc = claudeProjectDirName(f);
    return dirName === enc || dirName.startsWith(enc + '-');
  });
}

/** The cwd its first line names (`cwdOf` of the parsed line), or null. */
export async function firstLineCwd(file: string, cwdOf: (first: never) => string | null): Promise<string | null> {
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
