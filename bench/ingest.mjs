// Server-core benchmark (issue 2). Every figure is printed with the baseline measured in the same
// run, alternating baseline and AgentMonitor rounds:
//  - batch ingest (50 events of ~900 bytes per request, 40 connections, no event_id) and
//    single-event ingest, against a bare express app that only parses the same JSON and answers 201;
//  - GET /api/stats with a few hundred thousand stored events, against the bare app's GET;
//  - SSE delivery latency with 20 clients at 1,000 events/s;
//  - RSS idle and under load;
//  - snapshot time and the longest ingest stall with BENCH_EVENTS (default 1,000,000) stored events.
// Usage: node bench/ingest.mjs [--quick]   (needs `npm run build` first; `npm run bench` does it)
import autocannon from 'autocannon';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const quick = process.argv.includes('--quick');
const DURATION = quick ? 4 : 10;
const BIG = Number(process.env.BENCH_EVENTS ?? (quick ? 200_000 : 1_000_000));

const baselineSource = `
const express = require('express');
const app = express();
app.use(express.json({ limit: '10mb' }));
app.post('/api/events', (req, res) => res.status(201).json({ id: 1, duplicate: false }));
app.post('/api/events/batch', (req, res) => res.status(201).json({ received: req.body.length, ids: req.body.map((_, i) => i), duplicates: 0, rejected: [] }));
app.get('/api/stats', (req, res) => res.json({ ok: true, total: { cost_usd: 1.23, tokens_in: 1000 } }));
const s = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

function startBaseline() {
  const file = path.join(root, 'bench', '.baseline-server.cjs');
  fs.writeFileSync(file, baselineSource);
  return startProcess([file]);
}

function startAgentMonitor(dbPath, env = {}) {
  return startProcess([path.join(root, 'dist', 'cli.js'), 'serve', '--port', '0', '--db', dbPath, '--no-watch'], env);
}

let seq = 0;
function makeEvent(i) {
  seq++;
  const kind = i % 4;
  return {
    session_id: `bench-session-${seq % 200}`,
    agent_type: i % 5 === 0 ? 'codex' : 'claude-code',
    event_type: kind === 0 ? 'llm_request' : 'tool_use',
    tool_name: kind === 0 ? undefined : ['Bash', 'Read', 'Edit'][kind - 1],
    status: kind === 0 ? undefined : 'success',
    model: kind === 0 ? 'claude-sonnet-4-5-20250929' : undefined,
    tokens_in: kind === 0 ? 1200 : undefined,
    tokens_out: kind === 0 ? 340 : undefined,
    cache_read_tokens: kind === 0 ? 45000 : undefined,
    duration_ms: kind === 0 ? 2300 : 120,
    project: `/home/dev/projects/app-${seq % 7}`,
    branch: 'main',
    metadata: { command: 'npm test -- --grep "payments"', description: 'Run the payment tests', output_head: 'x'.repeat(520), exit_code: 0 },
  };
}

const batchBody = JSON.stringify(Array.from({ length: 50 }, (_, i) => makeEvent(i)));
const singleBody = JSON.stringify(makeEvent(1));

async function cannon(url, opts) {
  const r = await autocannon({ url, connections: 40, duration: DURATION, ...opts });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, total: r.requests.total };
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const results = [];
function report(name, ours, base, unit, target) {
  const ratio = ours / base;
  results.push({ name, ours, base, ratio, unit, target });
  console.log(`${name.padEnd(42)} ${fmt(ours)} ${unit} vs baseline ${fmt(base)} ${unit}  → ratio ${ratio.toFixed(3)}${target ? `  (target ${target})` : ''}`);
}
const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

async function sseLatency(url, clients = 20, rate = 1000, seconds = quick ? 3 : 6) {
  const latencies = [];
  const received = new Array(clients).fill(0);
  const controllers = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const ac = new AbortController();
      controllers.push(ac);
      const res = await fetch(`${url}/api/stream?event_type=notification`, { signal: ac.signal });
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += dec.decode(value, { stream: true });
            let i;
            while ((i = buf.indexOf('\n\n')) !== -1) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              if (!block.startsWith('event: event')) continue;
              const data = JSON.parse(block.slice(block.indexOf('data: ') + 6));
              const sent = data.event?.metadata?.sent;
              if (typeof sent === 'number') {
                latencies.push(performance.timeOrigin + performance.now() - sent);
                received[c]++;
              }
            }
          }
        } catch {
          /* aborted */
        }
      })();
    }),
  );
  await sleep(300);
  const perTick = rate / 100;
  let sent = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const t = Date.now();
    const events = Array.from({ length: perTick }, () => ({ session_id: 'sse-bench', agent_type: 'bench', event_type: 'notification', metadata: { sent: performance.timeOrigin + performance.now() } }));
    fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) }).catch(() => {});
    sent += perTick;
    await sleep(Math.max(0, 10 - (Date.now() - t)));
  }
  await sleep(1500);
  for (const ac of controllers) ac.abort();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { sent, minDelivered: Math.min(...received), p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] };
}

async function fill(url, total) {
  const body = JSON.stringify(Array.from({ length: 500 }, (_, i) => makeEvent(i)));
  let done = 0;
  const inflight = new Set();
  while (done < total) {
    while (inflight.size < 8 && done < total) {
      const p = fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.arrayBuffer());
      inflight.add(p);
      p.finally(() => inflight.delete(p));
      done += 500;
    }
    await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

async function health(url) {
  return (await fetch(`${url}/api/health`)).json();
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'am-bench-'));
  console.log(`AgentMonitor ingest benchmark (${os.cpus().length} cores, ${DURATION}s rounds${quick ? ', quick' : ''})\n`);
  try {
    const base = await startBaseline();
    const ours = await startAgentMonitor(path.join(tmp, 'a.db'));
    const idle = rssMb(ours.child.pid);

    // Batch and single ingest, alternating baseline and ours, best of two rounds each.
    const best = (a, b) => (a.rps >= b.rps ? a : b);
    const post = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });
    let bB = null, oB = null, bS = null, oS = null, loadRss = 0;
    for (let round = 0; round < 2; round++) {
      const b = await cannon(`${base.url}/api/events/batch`, post(batchBody));
      bB = bB ? best(bB, b) : b;
      const sampler = setInterval(() => (loadRss = Math.max(loadRss, rssMb(ours.child.pid))), 250);
      const o = await cannon(`${ours.url}/api/events/batch`, post(batchBody));
      clearInterval(sampler);
      oB = oB ? best(oB, o) : o;
      const bs = await cannon(`${base.url}/api/events`, post(singleBody));
      bS = bS ? best(bS, bs) : bs;
      const os_ = await cannon(`${ours.url}/api/events`, post(singleBody));
      oS = oS ? best(oS, os_) : os_;
    }
    report('batch ingest (events/s)', oB.rps * 50, bB.rps * 50, 'ev/s', '≥ 20,000 and ≥ 0.12');
    console.log(`    p50 ${oB.p50} ms, p99 ${oB.p99} ms (baseline p99 ${bB.p99} ms), failed requests ${oB.errors} (target p99 < 250 ms, 0 failed)`);
    report('single-event ingest (requests/s)', oS.rps, bS.rps, 'req/s', '≥ 0.40');
    console.log(`    p50 ${oS.p50} ms, p99 ${oS.p99} ms, failed ${oS.errors}`);

    const h = await health(ours.url);
    console.log(`    stored events now: ${h.events ?? '?'}`);
    let bG = null, oG = null;
    for (let round = 0; round < 2; round++) {
      const b = await cannon(`${base.url}/api/stats`, {});
      bG = bG ? best(bG, b) : b;
      const o = await cannon(`${ours.url}/api/stats`, {});
      oG = oG ? best(oG, o) : o;
    }
    report('GET /api/stats (requests/s)', oG.rps, bG.rps, 'req/s', '≥ 2,000 req/s');
    console.log(`    p99 ${oG.p99} ms, failed ${oG.errors}`);

    const sse = await sseLatency(ours.url);
    console.log(`SSE, 20 clients at 1,000 events/s: p50 ${sse.p50.toFixed(1)} ms, p99 ${sse.p99.toFixed(1)} ms, max ${sse.max.toFixed(1)} ms; ` +
      `${sse.sent} sent, fewest delivered to one client ${sse.minDelivered} (target p99 < 25 ms, all delivered)`);
    console.log(`RSS: idle ${idle.toFixed(0)} MB, peak under batch load ${loadRss.toFixed(0)} MB`);
    await ours.stop();
    await base.stop();

    // Snapshot with a large database: fill to BIG events, then measure single-event latency while
    // snapshots run (interval 2 s, so several land in the window).
    const big = await startAgentMonitor(path.join(tmp, 'big.db'), { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '2' });
    const t0 = Date.now();
    await fill(big.url, BIG);
    console.log(`\nfilled ${BIG} events in ${((Date.now() - t0) / 1000).toFixed(1)} s; RSS ${rssMb(big.child.pid).toFixed(0)} MB`);
    const probe = await autocannon({ url: `${big.url}/api/events`, connections: 4, duration: quick ? 6 : 12, ...post(singleBody) });
    const hh = await health(big.url);
    console.log(`snapshot with ${hh.events ?? BIG} events: ${JSON.stringify(hh.last_snapshot ?? hh.snapshot ?? null)}`);
    console.log(`longest single-event ingest latency while snapshotting: ${probe.latency.max} ms (p99 ${probe.latency.p99} ms; target no stall over 100 ms)`);
    await big.stop();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.join(root, 'bench', '.baseline-server.cjs'), { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
