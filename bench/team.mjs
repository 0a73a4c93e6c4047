// Team mode ingest (issue 25): events/s through POST /api/events/batch (50 events of ~900 bytes per
// request, 20 connections, no event_id) into one team server and into two team servers on one
// PostgreSQL database, each as a ratio to the local sql.js server measured in the same run (rounds
// alternate local and team). PostgreSQL runs with its durable defaults (fsync, synchronous commit):
// a team server answers after COMMIT, the local one after its journal write. Requests carry a
// person's token (`team token create`), so a team server checks it in PostgreSQL per request.
// Usage: node bench/team.mjs [--quick]   (needs `npm run build` and Debian's postgresql)
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 8;
const ROUNDS = quick ? 1 : 2;
const PER_BATCH = 50;

const pgHelper = await tsImport('../test/helpers/postgres.ts', import.meta.url);
const skip = pgHelper.postgresSkipReason();
if (skip) {
  console.log(`bench/team.mjs skipped: ${skip}`);
  process.exit(0);
}

let seq = 0;
function makeEvent(i) {
  seq++;
  const usage = i % 4 === 0;
  return {
    session_id: `bench-session-${seq % 200}`,
    agent_type: i % 5 === 0 ? 'codex' : 'claude_code',
    event_type: usage ? 'llm_request' : 'tool_use',
    tool_name: usage ? undefined : 'Bash',
    status: usage ? undefined : 'success',
    model: usage ? 'claude-sonnet-4-5-20250929' : undefined,
    tokens_in: usage ? 1200 : undefined,
    tokens_out: usage ? 340 : undefined,
    cache_read_tokens: usage ? 45000 : undefined,
    duration_ms: usage ? 2300 : 120,
    project: `/home/dev/projects/app-${seq % 7}`,
    metadata: { 'user.email': `dev${seq % 20}@example.com`, command: 'npm test', output_head: 'x'.repeat(520) },
  };
}
const body = JSON.stringify(Array.from({ length: PER_BATCH }, (_, i) => makeEvent(i)));

async function eventsPerSecond(urls) {
  const runs = await Promise.all(
    urls.map((url) =>
      autocannon({ url: `${url}/api/events/batch`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body, connections: Math.ceil(20 / urls.length), duration: DURATION }),
    ),
  );
  let errors = 0;
  let requests = 0;
  for (const r of runs) {
    errors += r.errors + r.non2xx + r.timeouts;
    requests += r.requests.total;
  }
  if (errors) throw new Error(`${errors} failed requests`);
  return (requests * PER_BATCH) / DURATION;
}

const cluster = await pgHelper.startCluster({ durable: true });
const dbUrl = await cluster.createDatabase('bench_team');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-team-'));
const cli = path.join(root, 'dist', 'cli.js');
const local = await startProcess([cli, 'serve', '--port', '0', '--db', path.join(dir, 'local.db'), '--no-watch']);
const token = execFileSync(process.execPath, [cli, 'team', 'token', 'create', '--person', 'bench@example.com', '--database-url', dbUrl], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const teamA = await startProcess([cli, 'serve', '--port', '0', '--database-url', dbUrl]);
const teamB = await startProcess([cli, 'serve', '--port', '0', '--database-url', dbUrl]);
try {
  const sums = { local: 0, one: 0, two: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    sums.local += await eventsPerSecond([local.url]);
    sums.one += await eventsPerSecond([teamA.url]);
    sums.two += await eventsPerSecond([teamA.url, teamB.url]);
  }
  const base = sums.local / ROUNDS;
  const line = (name, v) => console.log(`${name.padEnd(44)} ${(v / ROUNDS).toFixed(0)} events/s vs local ${base.toFixed(0)} events/s  → ratio ${(v / ROUNDS / base).toFixed(3)}`);
  console.log(`${ROUNDS} round(s) of ${DURATION} s, ${os.cpus().length} cores`);
  line('team ingest, one server', sums.one);
  line('team ingest, two servers on one database', sums.two);
} finally {
  await Promise.all([local.stop(), teamA.stop(), teamB.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
}
