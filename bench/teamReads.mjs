// Team mode reads (issue 25): the dashboard's first requests (what a page asks as it starts, the
// Sessions list, the Costs and Tools views' first questions, filter options, a session's page,
// search and the usage monitor)
// against a team server and against the local sql.js server holding the same events, in the same
// run: p50/p95 per request and team/local ratios. Each sample follows a one-event write to that
// server (live agents keep writing; the local server's 10 s answer cache is then cold, and a team
// server keeps none). Both are filled through POST /api/events/batch with the same events: 20
// people, 400 sessions, 30 days. PostgreSQL runs with its durable defaults.
// `--analyze`: ANALYZE the team database after the fill (autovacuum does it in time; right after a
// bulk fill PostgreSQL has no statistics, and search's plan then reads every match).
// Usage: node bench/teamReads.mjs [--events 100000] [--samples 9] [--analyze]   (needs `npm run build` and Debian's postgresql)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { startProcess } from './serverProcess.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const EVENTS = arg('--events', 100_000);
const SAMPLES = arg('--samples', 9);
const BATCH = 500;
const DAY = 86_400_000;

const pgHelper = await tsImport('../test/helpers/postgres.ts', import.meta.url);
const skip = pgHelper.postgresSkipReason();
if (skip) {
  console.log(`bench/teamReads.mjs skipped: ${skip}`);
  process.exit(0);
}

const now = Date.now();
function event(i) {
  const session = i % 400;
  const usage = i % 3 === 0;
  return {
    event_id: `bench-read-${i}`,
    session_id: `bench-s-${session}`,
    agent_type: session % 3 === 0 ? 'codex' : 'claude-code',
    event_type: usage ? 'llm_request' : i % 3 === 1 ? 'tool_use' : 'user_prompt',
    tool_name: i % 3 === 1 ? ['Bash', 'Read', 'Edit', 'Grep'][i % 4] : undefined,
    status: i % 3 === 1 ? (i % 17 ? 'success' : 'error') : undefined,
    duration_ms: i % 3 === 1 ? 50 + (i % 900) : undefined,
    model: usage ? ['claude-sonnet-4-5', 'gpt-5', 'claude-opus-4-1'][session % 3] : undefined,
    tokens_in: usage ? 800 + (i % 5000) : undefined,
    tokens_out: usage ? 100 + (i % 900) : undefined,
    cache_read_tokens: usage ? i % 40_000 : undefined,
    project: `/home/dev/projects/app-${session % 9}`,
    // Sessions spread over 30 days, each an hour or two of events.
    client_timestamp: new Date(now - (session / 400) * 30 * DAY - ((i % 997) / 997) * 2 * 3_600_000).toISOString(),
    metadata: { 'user.email': `dev${session % 20}@example.com`, prompt: 'make the tests pass', command: 'npm test' },
  };
}

async function post(url, token, events) {
  const r = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(events) });
  if (r.status !== 201) throw new Error(`${url}: ${r.status} ${await r.text()}`);
}

async function fill(url, token) {
  const started = Date.now();
  for (let i = 0; i < EVENTS; i += BATCH * 4) {
    await Promise.all([0, 1, 2, 3].map((k) => i + k * BATCH).filter((from) => from < EVENTS).map((from) => post(url, token, Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, j) => event(from + j)))));
  }
  return (Date.now() - started) / 1000;
}

const since = (days) => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return encodeURIComponent(new Date(d.getTime() - (days - 1) * DAY).toISOString());
};
const REQUESTS = [
  '/api/stats?tz=UTC',
  '/api/sessions?status=active,idle&limit=50',
  '/api/attention',
  '/api/events?limit=200&order=created_at',
  '/api/sessions?nest=true&limit=50',
  `/api/stats/cost?since=${since(30)}&tz=UTC&by=day&stack=model`,
  `/api/stats/cost?since=${since(30)}&tz=UTC&by=model`,
  `/api/stats/cost?since=${since(30)}&tz=UTC&by=project`,
  `/api/stats/cost?since=${since(30)}&tz=UTC&by=session&limit=50`,
  `/api/stats/tools?since=${since(7)}&tz=UTC&bucket=hour`,
  '/api/filter-options',
  '/api/sessions/bench-s-7',
  '/api/sessions/bench-s-7/transcript?limit=200',
  '/api/search?q=tests',
  '/api/search?q=make%20tests&agent_type=codex',
  '/api/search?q=nothingmatches',
  '/api/stats/usage-monitor?tz=UTC',
];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

let probe = 0;
async function timed(url, token, route) {
  await post(url, token, [{ session_id: 'bench-probe', agent_type: 'codex', event_type: 'session_start', event_id: `probe-${probe++}` }]);
  const t = performance.now();
  const r = await fetch(url + route);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}${route}: ${r.status}`);
  return performance.now() - t;
}

const cluster = await pgHelper.startCluster({ durable: true });
const dbUrl = await cluster.createDatabase('bench_team_reads');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-bench-team-reads-'));
const cli = path.join(root, 'dist', 'cli.js');
const localToken = 'bench-local-token';
const local = await startProcess([cli, 'serve', '--port', '0', '--db', path.join(dir, 'local.db'), '--no-watch'], { AGENTMONITOR_TOKEN: localToken });
const token = execFileSync(process.execPath, [cli, 'team', 'token', 'create', '--person', 'bench@example.com', '--database-url', dbUrl], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const team = await startProcess([cli, 'serve', '--port', '0', '--database-url', dbUrl]);
try {
  const fillLocal = await fill(local.url, localToken);
  const fillTeam = await fill(team.url, token);
  if (process.argv.includes('--analyze')) {
    const pg = (await import('pg')).default;
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    await db.query('ANALYZE');
    await db.end();
    console.log('team database analyzed after the fill');
  }
  console.log(`${EVENTS} events, ${SAMPLES} samples per request after a one-event write, ${os.cpus().length} cores; filled local in ${fillLocal.toFixed(1)} s, team in ${fillTeam.toFixed(1)} s`);
  console.log(`${'request'.padEnd(72)} ${'local p50/p95 ms'.padStart(18)} ${'team p50/p95 ms'.padStart(18)}  team/local p50, p95`);
  for (const route of REQUESTS) {
    const times = { local: [], team: [] };
    await timed(local.url, localToken, route);
    await timed(team.url, token, route);
    for (let i = 0; i < SAMPLES; i++) {
      times.local.push(await timed(local.url, localToken, route));
      times.team.push(await timed(team.url, token, route));
    }
    const [l50, l95, t50, t95] = [pct(times.local, 50), pct(times.local, 95), pct(times.team, 50), pct(times.team, 95)];
    console.log(`${route.slice(0, 72).padEnd(72)} ${`${l50.toFixed(1)}/${l95.toFixed(1)}`.padStart(18)} ${`${t50.toFixed(1)}/${t95.toFixed(1)}`.padStart(18)}  ${(t50 / l50).toFixed(2)}x, ${(t95 / l95).toFixed(2)}x`);
  }
} finally {
  await Promise.all([local.stop(), team.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
}
