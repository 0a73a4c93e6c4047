// Store footprint (issue 24): what a heavy user's history costs in memory and on disk, as ratios to
// a baseline build measured in the same run.
//
// Usage: node bench/footprint.mjs [--events 1000000] [--base REF] [--ref REF] [--rounds 2] [--keep]
// (--ref: measure that commit instead of the working tree's build, e.g. `--ref HEAD` while the tree
// holds uncommitted work)
//
// The baseline is another commit of this repository (default: the commit before the footprint
// work, FOOTPRINT_BASE below), checked out into a temp worktree and built there. Each build fills
// its own database with the demo generator (`demo --events N --days 30 --seed 1`: the same events
// for both) through its own insert code and schema, cached in the temp folder per commit and size.
// Then, alternating the builds, each round serves a fresh copy of each database and measures:
//   - resident memory (VmRSS of the `serve` process, all its threads) once it listens, and again
//     after the dashboard's first questions (the overview, Sessions, Costs, Tools and Usage);
//   - seconds from spawning `serve` until it listens (open, integrity digest, the views' warm-up),
//     and to answer the first questions twice: as they come (warmed before listening) and again
//     after one posted event, which any live agent causes (computed cold);
//   - after a clean stop (SIGTERM): the database's bytes per stored event, the events table's own
//     bytes per row (SQLite's dbstat, read through python3's sqlite3 when the machine has it), and
//     what the folder holds (database, backup, journal, payloads) as a multiple of the database.
// A third column, "upgraded", serves a copy of the base's database with the current build: what an
// existing user's database becomes after the upgrade's migrations.
// Goals (issue 24): RSS after start and after the first questions <= 250 MB; <= 120 bytes a stored
// event; on disk <= 1.5x the database with no journal left and no second full copy.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOf, cliOf as cli, demoDb } from './refBuild.mjs';
import { startProcess } from './serverProcess.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
/** The last commit before the footprint work (issue 24): "today's build" of the issue. */
const FOOTPRINT_BASE = '5e85780';
const EVENTS = Number(opt('events', args.includes('--quick') ? '200000' : '1000000'));
const ROUNDS = Number(opt('rounds', '2'));
const BASE_REF = opt('base', FOOTPRINT_BASE);
/** A fresh folder holding a copy of the database and its payloads, as a user's would after a clean stop. */
function freshCopy(db, label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `am-footprint-${label}-`));
  for (const f of fs.readdirSync(path.dirname(db))) {
    const base = path.basename(db);
    if (f === base || (f.startsWith(`${base}.`) && !f.endsWith('.done'))) fs.copyFileSync(path.join(path.dirname(db), f), path.join(dir, f.replace(base, 'agentmonitor.db')));
  }
  return path.join(dir, 'agentmonitor.db');
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The dashboard's first questions: the overview's start-up requests and each view's first ones. */
function firstQuestions() {
  const day = 86_400_000;
  const since = (days) => new Date(Date.now() - days * day).toISOString();
  return [
    '/api/stats',
    '/api/stats/pulse',
    '/api/attention',
    '/api/filter-options',
    `/api/events?limit=200`,
    '/api/sessions?limit=100',
    `/api/stats/cost?by=day&stack=model&since=${since(30)}`,
    `/api/stats/cost?by=model&since=${since(30)}`,
    `/api/stats/cost?by=project&since=${since(30)}`,
    `/api/stats/cost?by=session&limit=50&since=${since(30)}`,
    `/api/stats/tools?bucket=hour&since=${since(7)}`,
    '/api/stats/usage-monitor',
  ];
}

async function askFirstQuestions(build, url) {
  const t0 = performance.now();
  for (const q of firstQuestions()) {
    const r = await fetch(url + q);
    if (!r.ok) throw new Error(`${build.name}: GET ${q} answered ${r.status}`);
    await r.arrayBuffer();
  }
  return (performance.now() - t0) / 1000;
}

async function postOneEvent(url) {
  const r = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session_id: 'bench-footprint', agent_type: 'bench', event_type: 'tool_use', tool_name: 'BenchTool', status: 'success', duration_ms: 5, event_id: `bench-footprint-${Math.random()}` }),
  });
  if (!r.ok) throw new Error(`POST /api/events answered ${r.status}`);
}

async function storedEvents(url) {
  const r = await fetch(`${url}/api/stats`);
  return (await r.json()).total.events;
}

function folderBytes(db) {
  const dir = path.dirname(db);
  const out = { database: 0, backup: 0, journal: 0, payloads: 0, other: 0 };
  for (const f of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, f));
    if (!st.isFile()) continue;
    if (f === 'agentmonitor.db') out.database += st.size;
    else if (f.startsWith('agentmonitor.db.bak')) out.backup += st.nlink > 1 ? 0 : st.size;
    else if (f.includes('journal')) out.journal += st.size;
    else if (f.includes('payload')) out.payloads += st.size;
    else out.other += st.size;
  }
  return out;
}

/** Events-table bytes per row from SQLite's dbstat (python3's sqlite3 has it; sql.js does not). */
function tableBytes(db) {
  const script = `import sqlite3,sys,json
c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)
t='event_rows' if c.execute("select 1 from sqlite_master where name='event_rows'").fetchone() else 'events'
n=c.execute('select count(*) from '+t).fetchone()[0]
sizes=dict(c.execute('select name, sum(pgsize) from dbstat group by name').fetchall())
print(json.dumps({'events':n,'sizes':sizes}))`;
  const r = spawnSync('python3', ['-c', script, db], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout);
}

async function measure(build, db) {
  const copy = freshCopy(db, build.key);
  // The upgraded column's start converts the base's database: minutes on a loaded machine.
  const t0 = performance.now();
  const server = await startProcess([cli(build), 'serve', '--port', '0', '--db', copy, '--no-watch'], {}, 20 * 60_000);
  const startS = (performance.now() - t0) / 1000;
  try {
    const afterStart = rssMb(server.child.pid);
    const questionsS = await askFirstQuestions(build, server.url);
    const afterQuestions = rssMb(server.child.pid);
    await postOneEvent(server.url);
    const coldQuestionsS = await askFirstQuestions(build, server.url);
    const events = await storedEvents(server.url);
    await server.stop();
    const disk = folderBytes(copy);
    const stat = tableBytes(copy);
    const n = stat?.events ?? events;
    const result = {
      afterStart,
      afterQuestions,
      startS,
      questionsS,
      coldQuestionsS,
      bytesPerEvent: disk.database / n,
      // The flat events table, or (migration 7) its rows and the dictionaries they point into.
      tableBytesPerRow: stat ? ['events', 'event_rows', 'event_sessions', 'event_types', 'event_labels'].reduce((s, k) => s + (stat.sizes[k] ?? 0), 0) / n : NaN,
      indexBytesPerEvent: stat ? Object.entries(stat.sizes).filter(([k]) => k.startsWith('events_')).reduce((s, [, v]) => s + v, 0) / n : NaN,
      diskRatio: (disk.database + disk.backup + disk.journal + disk.payloads + disk.other) / disk.database,
      disk,
      events: n,
    };
    return result;
  } finally {
    if (server.child.exitCode === null) await server.stop();
    if (!args.includes('--keep')) fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const base = buildOf(BASE_REF);
const REF = opt('ref', null);
const current = REF ? { ...buildOf(REF), name: 'current' } : buildOf(null);
const dbs = new Map([
  [base, demoDb(base, EVENTS)],
  [current, demoDb(current, EVENTS)],
]);
// An existing user's upgrade: the current build on a copy of the base's database (migrated at start).
const upgraded = { ...current, name: 'upgraded' };
const results = new Map([
  [base, []],
  [current, []],
  [upgraded, []],
]);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [base, current, upgraded] : [upgraded, current, base];
  for (const b of order) results.get(b).push(await measure(b, b === upgraded ? dbs.get(base) : dbs.get(b)));
}

const fig = (b, k) => median(results.get(b).map((r) => r[k]));
const rows = [
  ['RSS after start (MB)', 'afterStart', (v) => v.toFixed(0), 'at most 250'],
  ['RSS after first questions (MB)', 'afterQuestions', (v) => v.toFixed(0), 'at most 250'],
  ['start until listening (s)', 'startS', (v) => v.toFixed(2), ''],
  ['first questions (s)', 'questionsS', (v) => v.toFixed(2), 'at most 1.1x'],
  ['first questions after a write (s)', 'coldQuestionsS', (v) => v.toFixed(2), 'at most 1.1x'],
  ['database bytes per event', 'bytesPerEvent', (v) => v.toFixed(0), ''],
  ['events table bytes per row', 'tableBytesPerRow', (v) => v.toFixed(0), 'at most 120'],
  ['events indexes bytes per event', 'indexBytesPerEvent', (v) => v.toFixed(0), ''],
  ['folder / database', 'diskRatio', (v) => v.toFixed(2), 'at most 1.5'],
];
console.log(`\nfootprint of ${fig(current, 'events').toLocaleString()} events (base ${fig(base, 'events').toLocaleString()}), medians of ${ROUNDS} round(s), builds alternating`);
console.log(`${'figure'.padEnd(34)}${base.name.padStart(14)}${'current'.padStart(12)}${'ratio'.padStart(8)}${'upgraded'.padStart(10)}${'ratio'.padStart(8)}   goal`);
for (const [label, key, f, goal] of rows) {
  const a = fig(base, key);
  const b = fig(current, key);
  const u = fig(upgraded, key);
  console.log(`${label.padEnd(34)}${f(a).padStart(14)}${f(b).padStart(12)}${(b / a).toFixed(2).padStart(8)}${f(u).padStart(10)}${(u / a).toFixed(2).padStart(8)}   ${goal}`);
}
console.log('(upgraded: the current build serving a copy of the base\'s database, converted at its first start)');
for (const b of [base, current, upgraded]) {
  const d = results.get(b)[0].disk;
  const mb = (x) => (x / 1e6).toFixed(0);
  console.log(`${b.name}: database ${mb(d.database)} MB, backup ${mb(d.backup)} MB (hard links count 0), journal ${mb(d.journal)} MB, payloads ${mb(d.payloads)} MB`);
}
