// Dashboard performance: `node bench/dashboard.mjs [--events 1000000] [--rebuild]`.
//
// Builds two databases with the demo generator through the store's own insert code (the small one
// is the baseline measured in the same run), serves each with `agentmonitor serve`, and drives the
// dashboard in Debian chromium:
//   - first meaningful paint (navigation start → overview numbers on screen),
//   - view switches (hash change → the view's data on screen), for every view,
//   - API latency of each aggregate the views call,
//   - the live feed under 500 events/s (frames per second, longest frame gap, lag of the last event),
//   - the bundle size (gzipped).
// Prints absolute numbers and ratios large/baseline. Targets from issue 7: paint < 1 s, switches
// < 200 ms, feed keeps up at 500 events/s, bundle < 150 KB gzipped. The large database is cached in
// the temp folder (rebuilt with --rebuild).
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const TARGET_EVENTS = Number(arg('events', 1_000_000));
const REBUILD = process.argv.includes('--rebuild');
const FILL_ONLY = process.argv.includes('--fill-only');
const FEED_RATE = 500;
const FEED_SECONDS = 10;
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
  const { openDatabase, writeSnapshot } = await mod('src/core/store/database.ts');
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
  writeSnapshot(state, 0);
  state.db.payloads?.close();
  state.db.raw.close();
  return { events: n, scale, seconds: (performance.now() - t0) / 1000, bytes: fs.statSync(file).size };
}

async function serve(dbFile) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'serve', '--db', dbFile, '--port', '0', '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

const VIEWS = {
  overview: '[data-testid=period-today]',
  feed: '.vlist-spacer .vrow',
  costs: '[data-testid=cost-by-model] tbody tr',
  tools: '[data-testid=tools-table] tbody tr',
  sessions: '[data-testid=sessions-table] tbody tr',
  usage: '[data-testid=block-cost], [data-testid=no-block]',
};

async function measureDashboard(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const paints = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${url}/#/overview`, { waitUntil: 'commit' });
    await page.waitForSelector(VIEWS.overview, { timeout: 60_000 });
    paints.push(await page.evaluate(() => performance.now()));
  }
  const switches = {};
  for (const round of [0, 1]) {
    for (const [view, selector] of Object.entries(VIEWS)) {
      // Leave the view first so that the switch renders it from scratch.
      await page.evaluate(() => (location.hash = '#/overview'));
      await page.waitForSelector(VIEWS.overview);
      const t = await page.evaluate(
        ({ view, selector }) =>
          new Promise((resolve) => {
            const t0 = performance.now();
            location.hash = `#/${view}`;
            const poll = () => (document.querySelector(selector) && document.querySelector('main')?.dataset.view === view ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
            poll();
          }),
        { view, selector },
      );
      if (round === 1) switches[view] = t;
    }
  }
  await context.close();
  return { paint: median(paints), switches };
}

async function measureApi(url) {
  const since = new Date(Date.now() - 29 * 86_400_000).toISOString();
  const calls = {
    stats: '/api/stats',
    'cost by day': `/api/stats/cost?by=day&stack=model&since=${since}`,
    'cost by session': `/api/stats/cost?by=session&limit=50&since=${since}`,
    tools: `/api/stats/tools?since=${since}`,
    sessions: '/api/sessions?limit=50',
    events: '/api/events?limit=200',
    'usage monitor': '/api/stats/usage-monitor',
  };
  const out = {};
  for (const [name, p] of Object.entries(calls)) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await fetch(url + p);
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`${p} answered ${r.status}`);
      times.push(performance.now() - t0);
    }
    out[name] = median(times);
  }
  return out;
}

async function measureFeed(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/#/feed`);
  await page.waitForSelector(VIEWS.feed, { timeout: 60_000 });
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
  await context.close();
  return { sent, seconds: (lastPosted - t0) / 1000, caughtUp, lagMs: lag, idle, busy };
}

async function main() {
  console.log('dashboard bench: building the webview and server bundles');
  const sizes = build();
  const bigFile = path.join(tmp, `bench-${TARGET_EVENTS}.db`);
  const smallFile = path.join(tmp, 'bench-baseline.db');
  for (const [file, n] of [
    [smallFile, 10_000],
    [bigFile, TARGET_EVENTS],
  ]) {
    if (!REBUILD && fs.existsSync(file)) continue;
    console.log(`filling ${file} with ~${n} events`);
    const r = await fillDb(file, n);
    console.log(`  ${r.events} events stored (scale ${r.scale.toFixed(3)}), ${(r.bytes / 1e6).toFixed(0)} MB, ${r.seconds.toFixed(0)} s`);
  }
  if (FILL_ONLY) return;
  const browser = await chromium.launch({
    executablePath: process.env.AGENTMONITOR_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const results = {};
  try {
    for (const [label, file] of [
      ['baseline', smallFile],
      ['large', bigFile],
    ]) {
      const t0 = performance.now();
      const server = await serve(file);
      const startS = (performance.now() - t0) / 1000;
      try {
        const events = (await (await fetch(`${server.url}/api/health`)).json()).events;
        const api = await measureApi(server.url);
        const dash = await measureDashboard(browser, server.url);
        const feed = await measureFeed(browser, server.url);
        results[label] = { events, startS, api, dash, feed };
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
  }

  const b = results.baseline;
  const l = results.large;
  const ratio = (x, y) => `${(x / y).toFixed(2)}x`;
  console.log(`\nbundle: webview.js ${(sizes.js.gz / 1024).toFixed(1)} KB gzipped (${(sizes.js.raw / 1024).toFixed(0)} KB), webview.css ${(sizes.css.gz / 1024).toFixed(1)} KB gzipped; target < 150 KB`);
  console.log(`databases: baseline ${b.events} events, large ${l.events} events; server start ${b.startS.toFixed(1)} s vs ${l.startS.toFixed(1)} s`);
  console.log(`first meaningful paint: baseline ${ms(b.dash.paint)}, large ${ms(l.dash.paint)} (${ratio(l.dash.paint, b.dash.paint)}); target < 1000 ms`);
  for (const v of Object.keys(VIEWS)) {
    console.log(`view switch ${v.padEnd(9)}: baseline ${ms(b.dash.switches[v]).padStart(7)}, large ${ms(l.dash.switches[v]).padStart(7)} (${ratio(l.dash.switches[v], b.dash.switches[v])}); target < 200 ms`);
  }
  for (const k of Object.keys(b.api)) {
    console.log(`api ${k.padEnd(16)}: baseline ${ms(b.api[k]).padStart(7)}, large ${ms(l.api[k]).padStart(7)} (${ratio(l.api[k], b.api[k])})`);
  }
  for (const [label, r] of [
    ['baseline', b],
    ['large', l],
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
