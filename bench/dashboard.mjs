// Dashboard performance: `node bench/dashboard.mjs [--events 1000000] [--rebuild] [--fill-only]
// [--samples 7] [--base REF]`.
//
// With --base REF: REF's build (checked out into a temp worktree and built there, `refBuild.mjs`)
// and the current build, base first, each serving a demo database of --events events that it
// filled itself (its own schema and insert code; `demoDb`, shared with bench/footprint.mjs); the
// columns are then base, current and current/base (issues 20 and 24 ask for the figures against
// an earlier build in the same run).
//
// Builds two databases with the demo generator through the store's own insert code (the small one
// is the baseline measured in the same run), serves a fresh copy of each with `agentmonitor serve`
// (so the events the feed test posts never pile up in the cached files), and drives the dashboard
// in Debian chromium. What is measured, and how:
//   - First meaningful paint: navigation start → the overview's numbers on screen (the frame after
//     `[data-testid=period-today]` holds its value), in a new tab of a browser window that is
//     already open (a user's browser; the browser's own start and its first window are not
//     counted). "First visit": HTTP cache and site storage cleared before each load; "repeat": a
//     second load in a new tab with both kept. Timed inside the page (an init script with a
//     MutationObserver), never with playwright selectors, which inject a large script into the
//     page while it loads and slow what they time.
//   - View switches: hash change → the view complete on screen (every data section of the view
//     drawn, nothing `aria-busy`, the next frame produced), and in parentheses to its first data
//     section. "warm": again within the server's 10 s aggregate cache. "cold": the server's cache
//     is invalidated first by posting one event (any write does: live agents keep it cold) and the
//     page is left to settle for 1.5 s; the first switch to each view is also the page's first
//     render of it. "restart": `serve` restarted and the dashboard loaded anew before the switch
//     (SQLite's page cache and the JIT cold too), switching at once, and again after 3 s on the
//     overview (a database of 100k+ events is warmed before the server listens; the page renders
//     the views once, detached, while it is idle: `webview/components/viewWarmUp.tsx`). Snapshots
//     are held off during these (see `serve`) and measured on their own.
//     The warm and cold switches also print the page's own CPU (Chromium's TaskDuration): on a
//     shared machine wall times swing with other processes, the page's CPU much less.
//   - API latency of each aggregate the views call, cold (after a write) and warm.
//   - The live feed under 500 events/s (frames per second, longest frame gap, lag of the last event),
//   - the bundle size (gzipped).
// Prints absolute numbers (medians) and ratios large/baseline. Targets from issue 7: paint < 1 s,
// switches < 200 ms, feed keeps up at 500 events/s, bundle < 150 KB gzipped. The machine may be
// shared: rely on medians and on ratios measured in the same run. The large database is cached in
// the temp folder (rebuilt with --rebuild).
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';
import { buildOf, cliOf, demoDb } from './refBuild.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const TARGET_EVENTS = Number(arg('events', 1_000_000));
const REBUILD = process.argv.includes('--rebuild');
const FILL_ONLY = process.argv.includes('--fill-only');
const SAMPLES = Number(arg('samples', 7));
const FEED_RATE = 500;
/** How long a user looks at the overview before a first switch, in the second restart column. */
const RESTART_LOOK_MS = 3000;
const FEED_SECONDS = 10;
const BASE_REF = arg('base', null);
const CURRENT_CLI = path.join(root, 'dist', 'cli.js');
const tmp = path.join(os.tmpdir(), 'agentmonitor-bench');
fs.mkdirSync(tmp, { recursive: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

function build() {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--only=webview,server', '--production'], { cwd: root, stdio: 'pipe' });
  const size = (f) => {
    const buf = fs.readFileSync(path.join(root, 'dist', f));
    return { raw: buf.length, gz: gzipSync(buf).length };
  };
  return { js: size('webview.js'), css: size('webview.css') };
}

/**
 * Fill a database file with at least `events` demo events (at most about 2 % more), through
 * insertBatch (the worker's code). The scale is counted for the target by demoScaleFor: a tool
 * call's start and end are one stored event, so the generator's emits are not the stored count.
 * Returns the stored count (what insertBatch inserted).
 */
async function fillDb(file, events) {
  const mod = (p) => tsImport(path.join(root, p), import.meta.url);
  const { closeDatabase, openDatabase, writeSnapshot } = await mod('src/core/store/database.ts');
  const { insertBatch } = await mod('src/core/store/insert.ts');
  const { toRecord } = await mod('src/core/ingest/normalize.ts');
  const { demoChunks, demoScaleFor } = await mod('src/core/cli/demo.ts');
  for (const f of fs.readdirSync(path.dirname(file))) if (f.startsWith(path.basename(file))) fs.rmSync(path.join(path.dirname(file), f));
  const wasm = path.join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
  const { state } = await openDatabase(file, wasm);
  const t0 = performance.now();
  const plan = { now: Date.now(), days: 30, seed: 42 };
  const scale = demoScaleFor(events, plan);
  let id = 1;
  let n = 0;
  for (const chunk of demoChunks({ ...plan, scale }, 50)) {
    const recs = chunk.map((e) => {
      const r = toRecord(e, 'api', 32 * 1024);
      r.id = id++;
      return r;
    });
    // Small batches: a batch's insert time grows faster than its size.
    for (let i = 0; i < recs.length; i += 2000) n += insertBatch(state.db, recs.slice(i, i + 2000)).inserted;
    if (process.stderr.isTTY) process.stderr.write(`\r  filling ${path.basename(file)}: ${n} events`);
  }
  await writeSnapshot(state, 0);
  state.db.payloads?.close();
  closeDatabase(state.db, state.file);
  return { events: n, scale, seconds: (performance.now() - t0) / 1000, bytes: fs.statSync(file).size };
}

/** A fresh copy of a database (snapshot, journal, payloads) for one server run. */
function copyDb(file, label) {
  const dir = path.join(tmp, 'run');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${label}.db`)) fs.rmSync(path.join(dir, f));
  for (const f of fs.readdirSync(path.dirname(file))) {
    if (f.startsWith(path.basename(file))) fs.copyFileSync(path.join(path.dirname(file), f), path.join(dir, `${label}.db${f.slice(path.basename(file).length)}`));
  }
  return path.join(dir, `${label}.db`);
}

/**
 * `agentmonitor serve` on a database. Snapshots every `snapshotS` seconds while written to (the
 * server's default is 30): the timed runs use an hour, so that the writes that make cold switches do
 * not also time the export of a snapshot, measured on its own (`measureSnapshot`).
 */
async function serve(dbFile, snapshotS = 3600, cli = CURRENT_CLI) {
  const env = { ...process.env, AGENTMONITOR_SNAPSHOT_INTERVAL_S: String(snapshotS) };
  const child = spawn(process.execPath, [cli, 'serve', '--db', dbFile, '--port', '0', '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { url, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

/** Every data section of each view, drawn: the view counts as switched when all are there. */
const VIEWS = {
  overview: ['[data-testid=period-today] .metric-value', '[data-testid=period-30d] .metric-value'],
  feed: ['.vlist-spacer .vrow'],
  costs: ['[data-testid=costs-total]', '.view-costs .uplot', '[data-testid=cost-by-model] tbody tr', '[data-testid=cost-by-project] tbody tr', '[data-testid=cost-by-session] tbody tr'],
  tools: ['[data-testid=tools-table] tbody tr', '.view-tools .uplot'],
  sessions: ['[data-testid=sessions-table] tbody tr'],
  usage: ['[data-testid=block-cost], [data-testid=no-block]'],
};

/**
 * Installed in every page before its scripts: `window.__amPainted` resolves with the time (ms
 * since navigation start) of the first frame produced after the overview's numbers are in the DOM.
 */
function paintProbe(selectors) {
  let resolve;
  window.__amPainted = new Promise((r) => (resolve = r));
  const ready = () => selectors.every((s) => document.querySelector(s)?.textContent);
  const mo = new MutationObserver(() => {
    if (!ready()) return;
    mo.disconnect();
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
  });
  mo.observe(document, { childList: true, subtree: true, characterData: true });
}

async function newBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.AGENTMONITOR_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(paintProbe, VIEWS.overview);
  return { browser, context };
}

/** A new tab on the dashboard's overview, painted; `fresh` clears HTTP cache and site storage first. */
async function openDashboard(context, url, fresh) {
  const page = await context.newPage();
  if (fresh) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(url).origin, storageTypes: 'all' });
    await cdp.detach();
  }
  await page.goto(`${url}/#/overview`, { waitUntil: 'commit' });
  const paint = await page.evaluate(() => window.__amPainted);
  return { page, paint };
}

async function measurePaint(context, url) {
  // The window and its first page exist before anything is timed (as in a user's browser).
  await (await openDashboard(context, url, true)).page.close();
  const first = [];
  const repeat = [];
  for (let i = 0; i < SAMPLES; i++) {
    const a = await openDashboard(context, url, true);
    first.push(a.paint);
    await a.page.close();
    const b = await openDashboard(context, url, false);
    repeat.push(b.paint);
    await b.page.close();
  }
  return { first: median(first), repeat: median(repeat), firstAll: first };
}

/**
 * Hash change → the view's first data section drawn (`first`) and every section of the view on
 * screen (`done`), each to the next frame produced (ms).
 */
function switchTo(page, view) {
  return page.evaluate(
    ({ view, selectors }) =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        let first = null;
        location.hash = `#/${view}`;
        const here = () => document.querySelector('main')?.dataset.view === view;
        const done = () => here() && !document.querySelector('main [aria-busy=true]') && selectors.every((s) => document.querySelector(s));
        const poll = () => {
          if (first === null && here() && selectors.some((s) => document.querySelector(s))) requestAnimationFrame(() => setTimeout(() => (first ??= performance.now() - t0)));
          if (done()) requestAnimationFrame(() => setTimeout(() => resolve({ first: first ?? performance.now() - t0, done: performance.now() - t0 })));
          else if (performance.now() - t0 > 30_000) reject(new Error(`view ${view} not complete after 30 s`));
          else requestAnimationFrame(poll);
        };
        poll();
      }),
    { view, selectors: VIEWS[view] },
  );
}

/** Medians of `done`, of `first` and of the page's CPU (`cpu`, when measured) over samples. */
function medianSwitch(xs) {
  return { done: median(xs.map((x) => x.done)), first: median(xs.map((x) => x.first)), cpu: median(xs.map((x) => x.cpu ?? NaN)) };
}

/**
 * `switchTo`, plus the CPU the page's renderer spent meanwhile (`cpu`, ms: Chromium's TaskDuration,
 * the main thread's busy time). Unlike the wall time it hardly moves when other processes load the
 * machine, so a switch's own cost can be compared on a shared machine.
 */
async function switchWithCpu(cdp, page, view) {
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value * 1000;
  const before = await busy();
  const r = await switchTo(page, view);
  return { ...r, cpu: (await busy()) - before };
}

async function toOverview(page) {
  await switchTo(page, 'overview');
}

/** One event through the API: a write, so the server's aggregate cache is recomputed after it. */
async function perturb(url) {
  const r = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session_id: 'bench-perturb', agent_type: 'bench', event_type: 'tool_use', tool_name: 'BenchTool', status: 'success', duration_ms: 5, event_id: `bench-perturb-${Math.random()}` }),
  });
  if (!r.ok) throw new Error(`POST /api/events answered ${r.status}`);
  await new Promise((res) => setTimeout(res, 1500));
}

async function measureSwitches(context, url) {
  const { page } = await openDashboard(context, url, false);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const warm = {};
  const cold = {};
  for (const view of Object.keys(VIEWS)) {
    if (view === 'overview') continue;
    const c = [];
    const w = [];
    for (let i = 0; i < 3; i++) {
      await toOverview(page);
      await perturb(url);
      c.push(await switchWithCpu(cdp, page, view));
      await toOverview(page);
      w.push(await switchWithCpu(cdp, page, view));
    }
    cold[view] = medianSwitch(c);
    warm[view] = medianSwitch(w);
  }
  await page.close();
  return { warm, cold };
}

/** Each view's first switch after `serve` started and the overview loaded (nothing cached anywhere). */
async function measureRestartSwitches(context, file, label, lookMs = 0, cli = CURRENT_CLI) {
  const out = {};
  for (const view of Object.keys(VIEWS)) {
    if (view === 'overview') continue;
    const server = await serve(copyDb(file, label), 3600, cli);
    try {
      const { page } = await openDashboard(context, server.url, false);
      if (lookMs) await page.waitForTimeout(lookMs);
      out[view] = await switchTo(page, view);
      await page.close();
    } finally {
      await server.stop();
    }
  }
  return out;
}

async function measureApi(url) {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const since = (days) => {
    const d = new Date();
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() - (days - 1)).toISOString();
  };
  // What the views ask for (webview/views/*.tsx), parameters as they send them.
  const q = (o) => `?${new URLSearchParams(o)}`;
  const calls = {
    stats: `/api/stats${q({ tz })}`,
    'cost by day': `/api/stats/cost${q({ since: since(30), tz, by: 'day', stack: 'model' })}`,
    'cost by model': `/api/stats/cost${q({ since: since(30), tz, by: 'model' })}`,
    'cost by project': `/api/stats/cost${q({ since: since(30), tz, by: 'project' })}`,
    'cost by session': `/api/stats/cost${q({ since: since(30), tz, by: 'session', limit: 50 })}`,
    'tools 7 d': `/api/stats/tools${q({ since: since(7), tz, bucket: 'hour' })}`,
    'tools 30 d': `/api/stats/tools${q({ since: since(30), tz, bucket: 'day' })}`,
    sessions: `/api/sessions${q({ limit: 50 })}`,
    events: `/api/events${q({ limit: 200 })}`,
    'filter options': '/api/filter-options',
    'usage monitor': `/api/stats/usage-monitor${q({ tz })}`,
  };
  const get = async (p) => {
    const t0 = performance.now();
    const r = await fetch(url + p);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${p} answered ${r.status}`);
    return performance.now() - t0;
  };
  const out = {};
  for (const [name, p] of Object.entries(calls)) {
    const cold = [];
    const warm = [];
    for (let i = 0; i < 3; i++) {
      await perturb(url);
      cold.push(await get(p));
      warm.push(await get(p));
    }
    out[name] = { cold: median(cold), warm: median(warm) };
  }
  return out;
}

/**
 * A snapshot (every 30 s while written to, by default) writes the whole database file out from the
 * store worker, which is blocked only while the file is frozen (`export_ms`; writing it out and the
 * fsync are `write_ms`): those durations, and an aggregate asked for just after a write while the
 * next snapshot is due.
 */
async function measureSnapshot(file, label, cli = CURRENT_CLI) {
  const server = await serve(copyDb(file, label), 0.2, cli);
  try {
    await fetch(`${server.url}/api/health`);
    const r = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: 'bench-snapshot', agent_type: 'bench', event_type: 'session_start', event_id: `bench-snapshot-${Math.random()}` }),
    });
    if (!r.ok) throw new Error(`POST /api/events answered ${r.status}`);
    await new Promise((res) => setTimeout(res, 300));
    const t0 = performance.now();
    await (await fetch(`${server.url}/api/stats/cost?by=model&tz=UTC`)).arrayBuffer();
    const blockedMs = performance.now() - t0;
    for (let i = 0; i < 600; i++) {
      const h = await (await fetch(`${server.url}/api/health`)).json();
      if (h.last_snapshot) return { exportMs: h.last_snapshot.export_ms, writeMs: h.last_snapshot.write_ms, bytes: h.last_snapshot.bytes, blockedMs };
      await new Promise((res) => setTimeout(res, 100));
    }
    return { exportMs: NaN, writeMs: NaN, bytes: 0, blockedMs };
  } finally {
    await server.stop();
  }
}

async function measureFeed(context, url) {
  const page = await context.newPage();
  await page.goto(`${url}/#/feed`);
  await page.waitForSelector(VIEWS.feed[0], { timeout: 60_000 });
  const startFrames = () =>
    page.evaluate(() => {
      const w = window;
      w.__frames = [];
      w.__stop = false;
      const tick = (t) => {
        w.__frames.push(t);
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  const stopFrames = () =>
    page.evaluate(() => {
      const w = window;
      w.__stop = true;
      const f = w.__frames;
      let maxGap = 0;
      for (let i = 1; i < f.length; i++) maxGap = Math.max(maxGap, f[i] - f[i - 1]);
      return { fps: (f.length - 1) / ((f[f.length - 1] - f[0]) / 1000), maxGap };
    });
  await startFrames();
  await new Promise((r) => setTimeout(r, 3000));
  const idle = await stopFrames();

  const initial = await page.evaluate(() => Number((document.querySelector('[data-testid=feed-count]')?.textContent ?? '').split(' ')[0].replace(/[^0-9]/g, '')));
  await startFrames();
  const perTick = FEED_RATE / 10;
  const t0 = performance.now();
  let sent = 0;
  for (let tick = 0; tick < FEED_SECONDS * 10; tick++) {
    const batch = Array.from({ length: perTick }, (_, i) => ({
      session_id: `bench-live-${tick % 7}`,
      agent_type: 'claude-code',
      event_type: 'tool_use',
      tool_name: 'BenchTool',
      status: 'success',
      duration_ms: 10,
      event_id: `bench-${t0}-${tick}-${i}`,
    }));
    const r = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    if (!r.ok) throw new Error(`batch answered ${r.status}`);
    sent += perTick;
    const wait = t0 + (tick + 1) * 100 - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  const lastPosted = performance.now();
  // Caught up: every posted event is in the feed (count grew by `sent`).
  const caughtUp = await page
    .waitForFunction((n) => Number((document.querySelector('[data-testid=feed-count]')?.textContent ?? '').split(' ')[0].replace(/[^0-9]/g, '')) >= n, initial + sent, { timeout: 30_000 })
    .then(() => true, () => false);
  const lag = performance.now() - lastPosted;
  const busy = await stopFrames();
  await page.close();
  return { sent, seconds: (lastPosted - t0) / 1000, caughtUp, lagMs: lag, idle, busy };
}

async function main() {
  console.log('dashboard bench: building the webview and server bundles');
  const sizes = build();
  const bigFile = path.join(tmp, `bench-${TARGET_EVENTS}.db`);
  const smallFile = path.join(tmp, 'bench-baseline.db');
  for (const [file, n] of BASE_REF
    ? []
    : [
        [smallFile, 10_000],
        [bigFile, TARGET_EVENTS],
      ]) {
    if (!REBUILD && fs.existsSync(file)) continue;
    console.log(`filling ${file} with ~${n} events`);
    const r = await fillDb(file, n);
    console.log(`  ${r.events} events stored (scale ${r.scale.toFixed(3)}), ${(r.bytes / 1e6).toFixed(0)} MB, ${r.seconds.toFixed(0)} s`);
  }
  if (FILL_ONLY) return;
  const { browser, context } = await newBrowser();
  const builds = BASE_REF ? [buildOf(BASE_REF), buildOf(null)] : [];
  const runs = BASE_REF
    ? builds.map((b) => [b.name, demoDb(b, TARGET_EVENTS), cliOf(b)])
    : [
        ['baseline', smallFile, CURRENT_CLI],
        ['large', bigFile, CURRENT_CLI],
      ];
  const results = [];
  try {
    for (const [label, file, cli] of runs) {
      const copy = copyDb(file, 'run');
      const t0 = performance.now();
      const server = await serve(copy, 3600, cli);
      const startS = (performance.now() - t0) / 1000;
      const r = { startS };
      try {
        r.events = (await (await fetch(`${server.url}/api/health`)).json()).events;
        console.log(`${label}: ${r.events} events, serve started in ${startS.toFixed(1)} s; measuring`);
        r.paint = await measurePaint(context, server.url);
        r.switches = await measureSwitches(context, server.url);
        r.api = await measureApi(server.url);
        r.feed = await measureFeed(context, server.url);
      } finally {
        await server.stop();
      }
      r.restart = await measureRestartSwitches(context, file, 'run', 0, cli);
      r.restartLook = await measureRestartSwitches(context, file, 'run', RESTART_LOOK_MS, cli);
      r.snapshot = await measureSnapshot(file, 'run', cli);
      results.push(r);
    }
  } finally {
    await browser.close();
  }

  const [b, l] = results;
  const [bName, lName] = runs.map((r) => r[0]);
  const ratio = (x, y) => `${(x / y).toFixed(2)}x`;
  const row = (x, y) => `${ms(x).padStart(7)} ${ms(y).padStart(7)} ${ratio(y, x).padStart(6)}`;
  console.log(`\nbundle: webview.js ${(sizes.js.gz / 1024).toFixed(1)} KB gzipped (${(sizes.js.raw / 1024).toFixed(0)} KB), webview.css ${(sizes.css.gz / 1024).toFixed(1)} KB gzipped; target < 150 KB`);
  console.log(`databases: ${bName} ${b.events} events, ${lName} ${l.events} events (asked ${TARGET_EVENTS}); server start ${b.startS.toFixed(1)} s vs ${l.startS.toFixed(1)} s`);
  console.log(`\nmedians of ${SAMPLES} (paint) and 3 (switches, API); columns: ${bName}, ${lName}, ${lName}/${bName}`);
  console.log(`first meaningful paint, first visit : ${row(b.paint.first, l.paint.first)}   target < 1000 ms`);
  console.log(`first meaningful paint, repeat visit: ${row(b.paint.repeat, l.paint.repeat)}`);
  console.log(`  first-visit samples: ${bName} ${b.paint.firstAll.map((x) => x.toFixed(0)).join(' ')}; ${lName} ${l.paint.firstAll.map((x) => x.toFixed(0)).join(' ')}`);
  console.log('view switch, all of the view on screen (target < 200 ms); first data section in ( )');
  console.log(`                  warm: ${bName.padEnd(13)} ${lName.padEnd(7)} ratio | cold (after a write)               | cold (serve restarted)              | serve restarted, ${RESTART_LOOK_MS / 1000} s on the overview first`);
  const cell = (x, y) => `${ms(x.done).padStart(7)} (${x.first.toFixed(0).padStart(4)}) ${ms(y.done).padStart(7)} (${y.first.toFixed(0).padStart(4)}) ${ratio(y.done, x.done).padStart(6)}`;
  for (const v of Object.keys(b.switches.warm)) {
    console.log(`  ${v.padEnd(10)} ${cell(b.switches.warm[v], l.switches.warm[v])} | ${cell(b.switches.cold[v], l.switches.cold[v])} | ${cell(b.restart[v], l.restart[v])} | ${cell(b.restartLook[v], l.restartLook[v])}`);
  }
  console.log(`the page's CPU during the switch (renderer main thread; little moved by other load on the machine)`);
  console.log(`                  warm: ${bName.padEnd(13)} ${lName.padEnd(7)} ratio | cold (after a write)`);
  for (const v of Object.keys(b.switches.warm)) {
    console.log(`  ${v.padEnd(10)} ${row(b.switches.warm[v].cpu, l.switches.warm[v].cpu)}        | ${row(b.switches.cold[v].cpu, l.switches.cold[v].cpu)}`);
  }
  console.log(`api                              cold: ${bName} ${lName} ratio | warm (cached)`);
  for (const k of Object.keys(b.api)) console.log(`  ${k.padEnd(32)} ${row(b.api[k].cold, l.api[k].cold)} | ${row(b.api[k].warm, l.api[k].warm)}`);
  console.log(
    `snapshot (every 30 s while written to): store worker blocked ${ms(b.snapshot.exportMs)} vs ${ms(l.snapshot.exportMs)} (${ratio(l.snapshot.exportMs, b.snapshot.exportMs)}), ` +
      `write and fsync ${ms(b.snapshot.writeMs)} vs ${ms(l.snapshot.writeMs)}; an aggregate asked during it took ${ms(b.snapshot.blockedMs)} vs ${ms(l.snapshot.blockedMs)}`,
  );
  for (const [label, r] of [
    [bName, b],
    [lName, l],
  ]) {
    const f = r.feed;
    console.log(
      `feed ${label}: ${f.sent} events in ${f.seconds.toFixed(1)} s (${(f.sent / f.seconds).toFixed(0)}/s), caught up: ${f.caughtUp}, lag after last post ${ms(f.lagMs)}; ` +
        `fps idle ${f.idle.fps.toFixed(0)} → under load ${f.busy.fps.toFixed(0)} (${ratio(f.busy.fps, f.idle.fps)}), longest frame ${ms(f.busy.maxGap)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
