// Log import benchmark (issue 3), side by side with ccusage 20.0.24 on the same files in the same
// run. For generated Claude Code logs and generated Codex rollouts (default 1 GB each, in
// bench/.data/, generated once by test/shared/tools/gen-logs.mjs):
//  - first full import: wall time, CPU time (all threads; steadier than wall time on a shared
//    machine) and peak RSS, as ratios to `ccusage claude|codex daily --offline --json`
//    (targets, issue 20: at most 3x ccusage's time for Claude logs, 4x for Codex rollouts);
//  - re-import with nothing changed (target < 0.5 s);
//  - a report query over the imported data (GET /api/stats/cost?by=day on `serve`, target < 100 ms).
// With --base REF: instead, ccusage, the first full import by REF's build (checked out into a temp
// worktree and built there) and by the current build, alternating, --rounds times each on fresh
// databases: wall time, CPU and peak RSS of each, the current build's ratios to the base and both
// builds' ratios to ccusage (medians).
// Usage: node bench/import.mjs [--quick] [--mb N] [--kind claude|codex] [--base REF [--rounds 2]]
//   (needs `npm run build`)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRef } from './refBuild.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const MB = Number(opt('mb', args.includes('--quick') ? '128' : '1024'));
const KINDS = opt('kind', 'claude,codex').split(',');
const SHARED = process.env.AGENTMONITOR_SHARED_DIR ?? path.resolve(root, 'test/shared');
const CLI = path.join(root, 'dist', 'cli.js');
const CCUSAGE = path.join(root, 'node_modules/@ccusage/ccusage-linux-x64/bin/ccusage');

if (!fs.existsSync(CLI)) {
  console.error('bench/import.mjs: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}
if (!fs.existsSync(CCUSAGE)) {
  console.error(`bench/import.mjs: ccusage is not installed (${CCUSAGE}); run npm install`);
  process.exit(2);
}
fs.chmodSync(CCUSAGE, 0o755);

/** Run a command; returns wall ms, CPU ms (user + system, all threads) and peak RSS (VmHWM), polled from /proc. */
function measure(cmd, argv, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peakKb = 0;
    let cpuMs = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuMs = (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 1/100 s
      } catch {
        /* exited */
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${path.basename(cmd)} ${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolve({ ms, cpuMs, rssMb: peakKb / 1024, out });
    });
  });
}

function ensureData(kind) {
  const dir = path.join(root, 'bench', '.data', `${kind}-${MB}mb`);
  const manifest = `${dir}.manifest.json`;
  if (fs.existsSync(manifest)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`generating ${MB} MB of ${kind} logs into ${path.relative(root, dir)} …`);
  return measure(process.execPath, [path.join(SHARED, 'tools', 'gen-logs.mjs'), '--kind', kind, '--mb', String(MB), '--seed', '7', '--out', dir, '--manifest', manifest], process.env).then(() => dir);
}

/** `serve` on `db`; `logEnv` names the log folder (CLAUDE_CONFIG_DIR / CODEX_HOME) it may import. */
async function startServe(db, logEnv) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, '--no-watch'], { env: { ...process.env, ...logEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 120_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
  return { url, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

/** POST /api/import and wait for its import_done over SSE; returns wall ms. */
async function importThroughServer(url, body) {
  const ctrl = new AbortController();
  const stream = await fetch(`${url}/api/stream`, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
  const reader = stream.body.getReader();
  const t0 = performance.now();
  const r = await fetch(`${url}/api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { import_id: id } = await r.json();
  if (r.status !== 202) throw new Error(`POST /api/import answered ${r.status}`);
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('event stream ended before import_done');
    buf += decoder.decode(value, { stream: true });
    if (buf.includes('event: import_done') && buf.includes(id)) break;
  }
  const ms = performance.now() - t0;
  ctrl.abort();
  return ms;
}

/** The base build's cli.js: REF checked out into a temp worktree (kept between runs) and built. */
function baseCli(ref) {
  const { sha, dir } = buildRef(ref, path.join(os.tmpdir(), 'agentmonitor-bench-import'));
  return { sha, cli: path.join(dir, 'dist', 'cli.js') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, d = 2) => n.toFixed(d);
/** Runs of one short command: wall and CPU medians with their ranges (a shared machine swings the wall time most), peak RSS. */
const processLine = (runs) => {
  const range = (xs) => `${fmt(median(xs) / 1000, 3)} s (${fmt(Math.min(...xs) / 1000, 3)}-${fmt(Math.max(...xs) / 1000, 3)})`;
  return `wall ${range(runs.map((r) => r.ms))}, CPU ${range(runs.map((r) => r.cpuMs))}, peak RSS ${fmt(median(runs.map((r) => r.rssMb)), 0)} MB, ${runs.length} runs`;
};
let failed = false;
const check = (ok, text) => {
  if (!ok) failed = true;
  return `${text} ${ok ? 'ok' : 'MISSED'}`;
};

if (args.includes('--base')) {
  const base = baseCli(opt('base', 'HEAD'));
  const rounds = Number(opt('rounds', '2'));
  for (const kind of KINDS) {
    const dir = await ensureData(kind);
    const runs = { base: [], current: [], ccusage: [] };
    let events = 0;
    const ccHome = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-import-'));
    const ccArgs = [kind, 'daily', '--json', '--offline', '-z', 'UTC'];
    const ccEnv = { PATH: process.env.PATH, HOME: ccHome, ...(kind === 'claude' ? { CLAUDE_CONFIG_DIR: dir } : { CODEX_HOME: dir }) };
    await measure(CCUSAGE, ccArgs, ccEnv); // warms the page cache
    for (let i = 0; i < rounds; i++) {
      runs.ccusage.push(await measure(CCUSAGE, ccArgs, ccEnv));
      for (const [name, cli] of [['base', base.cli], ['current', CLI]]) {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-import-'));
        const db = path.join(work, 'agentmonitor.db');
        try {
          const r = await measure(process.execPath, [cli, 'import', kind === 'claude' ? '--claude-dir' : '--codex-dir', dir, '--db', db, '--json', '--quiet'], { ...process.env, HOME: work, AGENTMONITOR_DB_PATH: db });
          events = JSON.parse(r.out).events;
          runs[name].push(r);
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      }
    }
    const m = (name, key) => median(runs[name].map((r) => r[key]));
    const range = (name, key, div) => runs[name].map((r) => fmt(r[key] / div, div === 1 ? 0 : 2)).join(', ');
    console.log(`\n${kind}: first import, ${events} events, base ${base.sha} vs current, ${rounds} alternating runs each (medians; runs in order)`);
    fs.rmSync(ccHome, { recursive: true, force: true });
    for (const name of ['ccusage', 'base', 'current']) console.log(`  ${name.padEnd(8)} wall ${range(name, 'ms', 1000)} s, CPU ${range(name, 'cpuMs', 1000)} s, peak RSS ${range(name, 'rssMb', 1)} MB`);
    console.log(`  current / base: wall ${fmt(m('current', 'ms') / m('base', 'ms'))}x, CPU ${fmt(m('current', 'cpuMs') / m('base', 'cpuMs'))}x, peak RSS ${fmt(m('current', 'rssMb') / m('base', 'rssMb'))}x`);
    const target = kind === 'claude' ? 3 : 4;
    for (const name of ['base', 'current']) console.log(`  ${name} / ccusage (target <= ${target}x): CPU ${fmt(m(name, 'cpuMs') / m('ccusage', 'cpuMs'))}x, wall ${fmt(m(name, 'ms') / m('ccusage', 'ms'))}x`);
  }
  process.exit(0);
}

for (const kind of KINDS) {
  const dir = await ensureData(kind);
  const bytes = Number(JSON.parse(fs.readFileSync(`${dir}.manifest.json`, 'utf8')).bytes);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-import-'));
  const db = path.join(work, 'agentmonitor.db');
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  const ccEnv = { PATH: process.env.PATH, HOME: home, ...(kind === 'claude' ? { CLAUDE_CONFIG_DIR: dir } : { CODEX_HOME: dir }) };
  const ourArgs = [CLI, 'import', kind === 'claude' ? '--claude-dir' : '--codex-dir', dir, '--db', db, '--json', '--quiet'];
  const ourEnv = { ...process.env, HOME: home, AGENTMONITOR_DB_PATH: db };
  try {
    // Warm the page cache for both, then alternate: ccusage, ours (first import), ccusage again.
    await measure(CCUSAGE, [kind, 'daily', '--json', '--offline', '-z', 'UTC'], ccEnv);
    const cc1 = await measure(CCUSAGE, [kind, 'daily', '--json', '--offline', '-z', 'UTC'], ccEnv);
    const first = await measure(process.execPath, ourArgs, ourEnv);
    const cc2 = await measure(CCUSAGE, [kind, 'daily', '--json', '--offline', '-z', 'UTC'], ccEnv);
    const ccMs = (cc1.ms + cc2.ms) / 2;
    const ccRss = Math.max(cc1.rssMb, cc2.rssMb);
    const ccCpu = (cc1.cpuMs + cc2.cpuMs) / 2;
    const target = kind === 'claude' ? 3 : 4;
    const summary = JSON.parse(first.out);
    // Whole CLI processes, alternating: a no-op re-import, `report`, and `--version` (node's start
    // and loading the bundle, the floor under both).
    const again = [];
    const reports = [];
    const floor = [];
    for (let i = 0; i < 5; i++) {
      again.push(await measure(process.execPath, ourArgs, ourEnv));
      reports.push(await measure(process.execPath, [CLI, 'report', '--db', db, '--json', '--tz', 'UTC'], ourEnv));
      floor.push(await measure(process.execPath, [CLI, '--version'], ourEnv));
    }
    const serve = await startServe(db, kind === 'claude' ? { CLAUDE_CONFIG_DIR: dir } : { CODEX_HOME: dir });
    const q = [];
    const inServer = [];
    try {
      for (let i = 0; i < 3; i++) inServer.push(await importThroughServer(serve.url, kind === 'claude' ? { claude_dirs: [dir] } : { codex_dirs: [dir] }));
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        // A different `since` (milliseconds before any data) each time: the server caches
        // aggregates by their parameters, and the target is for an answer computed afresh.
        const r = await fetch(`${serve.url}/api/stats/cost?by=day&tz=UTC&since=${new Date(Date.UTC(2000, 0, 1) + i).toISOString()}`);
        await r.json();
        if (!r.ok) throw new Error(`report query answered ${r.status}`);
        q.push(performance.now() - t0);
      }
    } finally {
      await serve.stop();
    }
    const qMs = median(q.slice(1));
    console.log(`\n${kind}: ${fmt(bytes / 1048576, 0)} MB, ${summary.files} files, ${summary.events} events`);
    console.log(`  ccusage ${kind} daily:     ${fmt(ccMs / 1000)} s, CPU ${fmt(ccCpu / 1000)} s, peak RSS ${fmt(ccRss, 0)} MB`);
    console.log(`  first import:           ${fmt(first.ms / 1000)} s, CPU ${fmt(first.cpuMs / 1000)} s, peak RSS ${fmt(first.rssMb, 0)} MB`);
    console.log(`    ${check(first.ms / ccMs <= target, `time ratio to ccusage ${fmt(first.ms / ccMs)}x (target <= ${target}x)`)}; CPU ratio ${fmt(first.cpuMs / ccCpu)}x`);
    console.log(`    ${check(first.rssMb < 600, `peak RSS ${fmt(first.rssMb, 0)} MB = ${fmt(first.rssMb / ccRss)}x ccusage (target < 600 MB)`)}`);
    const againMs = median(again.map((r) => r.ms));
    const reportMs = median(reports.map((r) => r.ms));
    console.log(`  re-import, nothing new, CLI opening the database itself: ${fmt(againMs / 1000, 3)} s (process start and database load included) = ${fmt(againMs / ccMs, 3)}x a ccusage run; ${check(againMs < 500, 'target < 0.5 s')}`);
    console.log(`    ${processLine(again)}`);
    console.log(`  \`report\` (cost by day), CLI opening the database itself: ${fmt(reportMs / 1000, 3)} s = ${fmt(reportMs / ccMs, 3)}x a ccusage run; ${check(reportMs < 500, 'target < 0.5 s')}`);
    console.log(`    ${processLine(reports)}`);
    console.log(`  \`agentmonitor --version\` (node's start and loading the bundle): ${processLine(floor)}`);
    console.log(`  re-import, nothing new, through the running server: ${fmt(median(inServer), 1)} ms = ${fmt(median(inServer) / ccMs, 4)}x a ccusage run; ${check(median(inServer) < 500, 'target < 0.5 s')}`);
    console.log(`  report query (cost by day over HTTP, computed afresh): ${fmt(qMs, 1)} ms = ${fmt(qMs / ccMs, 4)}x a ccusage run; ${check(qMs < 100, 'target < 100 ms')}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
