// Another commit of this repository, built for a benchmark that compares builds in one run: REF
// checked out into a detached worktree under `cacheDir` (kept between runs), sharing this
// checkout's node_modules, built with esbuild. Returns the short sha and the worktree.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function buildRef(ref, cacheDir) {
  const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  const sha = git('rev-parse', '--short', ref);
  const dir = path.join(cacheDir, `build-${sha}`);
  if (!fs.existsSync(path.join(dir, 'dist', 'cli.js'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
    git('worktree', 'add', '--detach', dir, sha);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: dir, stdio: 'inherit' });
  }
  return { sha, dir };
}
