// Hook channel benchmark (issue 5), each figure beside a baseline measured in the same run:
//  - http hook round trip (what Claude Code waits for on every hook): sequential keep-alive POSTs of
//    the captured Claude Code hook bodies to /api/hooks/claude-code, p50/p99, against a bare
//    express app that parses the same JSON and answers an empty 200; rounds alternate;
//  - the command hook script's wall time with the server down and up, against the cheapest
//    possible command hook (`sh -c 'cat >/dev/null'`).
// Usage: node bench/hooks.mjs [--quick]   (needs `npm run build` first; `npm run bench` does it)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 1000 : 4000;
const ROUNDS = quick ? 2 : 3;
const SPAWNS = quick ? 30 : 100;
const fixtures = process.env.AGENTMONITOR_FIXTURES ?? path.join(process.env.AGENTMONITOR_SHARED_DIR ?? path.resolve(root, 'test/shared'), 'fixtures');
const script = path.join(root, 'hooks/claude-code/agentmonitor-hook.sh');

const bodies = fs
  .readFileSync(path.join(fixtures, 'captured/claude-json/hooks-http.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l).body);

const baselineSource = `
const express = require('express');
const app = express();
app.post('/api/hooks/claude-code', express.json({ limit: '10mb', type: () => true }), (req, res) => res.status(200).end());
const s = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/hooks/claude-code', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function roundTrips(port, tag) {
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const b = { ...bodies[i % bodies.length] };
    b.session_id = `bench-${tag}-${Math.floor(i / bodies.length) % 50}`;
    if (b.tool_use_id) b.tool_use_id = `${b.tool_use_id}-${tag}-${i}`;
    const body = JSON.stringify(b);
    const t0 = process.hrtime.bigint();
    const status = await post(port, body);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (status !== 200) throw new Error(`HTTP ${status}`);
  }
  return times.sort((a, b) => a - b);
}

function wallTimes(cmd, args, input) {
  const times = [];
  for (let i = 0; i < SPAWNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { input });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0 || r.stdout.length) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}, output ${r.stdout}`);
  }
  return times.sort((a, b) => a - b);
}

async function deadPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  return port;
}

const fmt = (n) => n.toFixed(2).padStart(7);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-hooks-'));
  const baseFile = path.join(dir, 'baseline.cjs');
  fs.writeFileSync(baseFile, baselineSource.replace("require('express')", `require(${JSON.stringify(path.join(root, 'node_modules/express'))})`));
  const base = await startProcess([baseFile]);
  const am = await startProcess([path.join(root, 'dist/cli.js'), 'serve', '--port', '0', '--db', path.join(dir, 'bench.db'), '--no-watch']);
  const all = { base: [], am: [] };
  try {
    await roundTrips(base.port, 'warm-b');
    await roundTrips(am.port, 'warm-a');
    for (let r = 0; r < ROUNDS; r++) {
      all.base.push(...(await roundTrips(base.port, `b${r}`)));
      all.am.push(...(await roundTrips(am.port, `a${r}`)));
    }
    for (const k of ['base', 'am']) all[k].sort((a, b) => a - b);
    console.log(`http hook round trip, ${REQUESTS * ROUNDS} sequential keep-alive POSTs of captured hook bodies (ms):`);
    console.log(`  baseline (bare express, empty 200)   p50 ${fmt(pct(all.base, 50))}  p99 ${fmt(pct(all.base, 99))}`);
    console.log(`  AgentMonitor /api/hooks/claude-code  p50 ${fmt(pct(all.am, 50))}  p99 ${fmt(pct(all.am, 99))}   (target p99 < 5 ms)`);
    console.log(`  ratio AgentMonitor / baseline        p50 ${fmt(pct(all.am, 50) / pct(all.base, 50))}x p99 ${fmt(pct(all.am, 99) / pct(all.base, 99))}x`);

    const payload = JSON.stringify(bodies[1]);
    const cheapest = wallTimes('sh', ['-c', 'cat >/dev/null'], payload);
    const down = wallTimes('sh', [script, 'claude-code', String(await deadPort())], payload);
    const up = wallTimes('sh', [script, 'claude-code', String(am.port)], payload);
    console.log(`command hook wall time, ${SPAWNS} runs each (ms):`);
    console.log(`  baseline sh -c 'cat >/dev/null'      p50 ${fmt(pct(cheapest, 50))}  p99 ${fmt(pct(cheapest, 99))}  max ${fmt(cheapest.at(-1))}`);
    console.log(`  agentmonitor-hook.sh, server down    p50 ${fmt(pct(down, 50))}  p99 ${fmt(pct(down, 99))}  max ${fmt(down.at(-1))}   (target < 100 ms)`);
    console.log(`  agentmonitor-hook.sh, server up      p50 ${fmt(pct(up, 50))}  p99 ${fmt(pct(up, 99))}  max ${fmt(up.at(-1))}`);
    console.log(`  ratio script (down) / baseline       p50 ${fmt(pct(down, 50) / pct(cheapest, 50))}x`);
  } finally {
    await base.stop();
    await am.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
