// `agentmonitor push` (issue 25): events/s from a local database into a team server, as a ratio to
// posting the same events straight to a team server's batch route (500 per request, one client,
// like push) in the same run, each into its own fresh PostgreSQL database. The ratio is what
// reading the local store by id and converting its rows costs on top of the team ingest.
// Rounds alternate baseline and push. PostgreSQL runs with its durable defaults.
// Usage: node bench/push.mjs [--quick]   (needs `npm run build` and Debian's postgresql)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const quick = process.argv.includes('--quick');
const EVENTS = quick ? 5000 : 20000;
const ROUNDS = quick ? 1 : 2;
const BATCH = 500;

const pgHelper = await tsImport('../test/helpers/postgres.ts', import.meta.url);
const skip = pgHelper.postgresSkipReason();
if (skip) {
  console.log(`bench/push.mjs skipped: ${skip}`);
  process.exit(0);
}

function makeEvent(i) {
  const usage = i % 4 === 0;
  return {
    event_id: `bench-push-${i}`,
    session_id: `bench-session-${i % 200}`,
    agent_type: i % 5 === 0 ? 'codex' : 'claude_code',
    event_type: usage ? 'llm_request' : 'tool_use',
    tool_name: usage ? undefined : 'Bash',
    status: usage ? undefined : 'success',
    model: usage ? 'claude-sonnet-4-5-20250929' : undefined,
    tokens_in: usage ? 1200 : undefined,
    tokens_out: usage ? 340 : undefined,
    cache_read_tokens: usage ? 45000 : undefined,
    duration_ms: usage ? 2300 : 120,
    project: `/home/dev/projects/app-${i % 7}`,
    client_timestamp: new Date(Date.now() - (EVENTS - i) * 1000).toISOString(),
    metadata: { command: 'npm test', output_head: 'x'.repeat(520) },
  };
}
const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));

async function post(url, body, token) {
  const r = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  if (r.status !== 201) throw new Error(`${url} answered ${r.status}: ${await r.text()}`);
}

const cluster = await pgHelper.startCluster({ durable: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-push-'));
const cli = path.join(root, 'dist', 'cli.js');
const localDb = path.join(dir, 'local.db');
const local = await startProcess([cli, 'serve', '--port', '0', '--db', localDb, '--no-watch']);
try {
  for (let i = 0; i < EVENTS; i += BATCH) await post(local.url, JSON.stringify(events.slice(i, i + BATCH)), 'none');
} finally {
  await local.stop();
}

/** A fresh team database and server; the token of a person on it. */
async function freshTeam(name) {
  const dbUrl = await cluster.createDatabase(name);
  const token = execFileSync(process.execPath, [cli, 'team', 'token', 'create', '--person', 'bench@example.com', '--database-url', dbUrl], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  return { server: await startProcess([cli, 'serve', '--port', '0', '--database-url', dbUrl]), token };
}

const sums = { direct: 0, push: 0 };
for (let r = 0; r < ROUNDS; r++) {
  const a = await freshTeam(`bench_direct_${r}`);
  try {
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i += BATCH) await post(a.server.url, JSON.stringify(events.slice(i, i + BATCH)), a.token);
    sums.direct += EVENTS / ((performance.now() - t0) / 1000);
  } finally {
    await a.server.stop();
  }
  const b = await freshTeam(`bench_push_${r}`);
  // A port may come round again: no cursor from an earlier round.
  fs.rmSync(path.join(dir, 'push'), { recursive: true, force: true });
  try {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [cli, 'push', '--to', b.server.url, '--token', b.token, '--db', localDb, '--once', '--json', '--batch', String(BATCH)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const seconds = (performance.now() - t0) / 1000;
    const pushed = JSON.parse(out);
    if (pushed.inserted !== EVENTS) throw new Error(`push inserted ${pushed.inserted} of ${EVENTS}`);
    sums.push += EVENTS / seconds;
  } finally {
    await b.server.stop();
  }
}
const direct = sums.direct / ROUNDS;
const pushed = sums.push / ROUNDS;
console.log(`${ROUNDS} round(s) of ${EVENTS} events, ${os.cpus().length} cores`);
console.log(`push --once (process start included)          ${pushed.toFixed(0)} events/s vs direct batch POSTs ${direct.toFixed(0)} events/s  → ratio ${(pushed / direct).toFixed(3)}`);
fs.rmSync(dir, { recursive: true, force: true });
