// Builds for benchmarks that compare builds in one run, and a demo database filled by each build.
// buildRef: another commit of this repository checked out into a detached worktree under
// `cacheDir` (kept between runs), sharing this checkout's node_modules, built with esbuild.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where builds of other commits and their demo databases are kept between runs. */
export const BUILD_CACHE = path.join(os.tmpdir(), 'agentmonitor-footprint');

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

const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();

/** A built checkout of `ref`, or with `null` the working tree's own build (`npm run build`). */
export function buildOf(ref, cacheDir = BUILD_CACHE) {
  if (ref === null) {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    const dirty = git('status', '--porcelain', '--', 'src').length > 0;
    return { name: 'current', dir: root, key: `${git('rev-parse', '--short', 'HEAD')}${dirty ? '-dirty' : ''}` };
  }
  const { sha, dir } = buildRef(ref, cacheDir);
  return { name: `base ${sha}`, dir, key: sha };
}

export function cliOf(build) {
  return path.join(build.dir, 'dist', 'cli.js');
}

/**
 * The build's demo database of `events` events (`demo --days 30 --seed 1`: the same events for
 * every build, stored by its own insert code and schema), filled once per commit and size; a
 * working tree with changes under src/ fills anew.
 */
export function demoDb(build, events, cacheDir = BUILD_CACHE) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const db = path.join(cacheDir, `demo-${build.key}-${events}.db`);
  if (fs.existsSync(`${db}.done`) && !build.key.endsWith('-dirty')) return db;
  for (const f of fs.readdirSync(cacheDir)) if (f.startsWith(path.basename(db))) fs.rmSync(path.join(cacheDir, f), { force: true });
  console.log(`${build.name}: filling ${events.toLocaleString()} demo events …`);
  const t0 = Date.now();
  execFileSync(process.execPath, [cliOf(build), 'demo', '--db', db, '--events', String(events), '--days', '30', '--seed', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`${build.name}: filled in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  fs.writeFileSync(`${db}.done`, '');
  return db;
}
