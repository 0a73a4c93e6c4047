import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventInputRaw } from '../../src/core/contracts/events';
import type { ReportJson } from '../../src/core/cli/report';
import { startTestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

const root = path.resolve(__dirname, '../..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, AGENTMONITOR_TOKEN: '' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c));
    p.stderr.on('data', (c: Buffer) => (stderr += c));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const llm = (session: string, model: string, t: string, cost: number): EventInputRaw => ({
  session_id: session,
  agent_type: 'claude-code',
  event_type: 'llm_request',
  model,
  tokens_in: cost * 1000,
  tokens_out: cost * 100,
  cache_read_tokens: cost * 10,
  cache_write_tokens: cost,
  cost_usd: cost,
  project: '/r/proj',
  client_timestamp: t,
});

const EVENTS = [
  llm('r1', 'model-x', '2026-05-01T10:00:00Z', 1),
  llm('r1', 'model-y', '2026-05-01T22:30:00Z', 2),
  llm('r2', 'model-x', '2026-05-02T03:00:00Z', 4),
  llm('r3', 'model-y', '2026-05-03T12:00:00Z', 8),
];

const hash = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('report asks the live server, then reads the file read-only once the server is gone', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'report.db');
  const s = await startTestServer({ dbPath }, { dir });
  assert.equal((await s.post('/api/events/batch', EVENTS)).status, 201);

  const live = await cli(['report', '--db', dbPath, '--json', '--by', 'day', '--tz', 'UTC', '--since', '2026-05-01', '--until', '20260502']);
  assert.equal(live.code, 0, live.stderr);
  const a = JSON.parse(live.stdout) as ReportJson;
  assert.equal(a.source, 'server');
  assert.deepEqual(
    a.rows.map((r) => [r.key, r.cost_usd, r.events]),
    [
      ['2026-05-01', 3, 2],
      ['2026-05-02', 4, 1],
    ],
  );
  assert.deepEqual(a.totals, { cost_usd: 7, tokens_in: 7000, tokens_out: 700, cache_read_tokens: 70, cache_write_tokens: 7, events: 3, sessions: 2, requests: 3 });

  await s.close();
  const before = hash(dbPath);
  const file = await cli(['report', '--db', dbPath, '--json', '--by', 'day', '--tz', 'America/Los_Angeles']);
  assert.equal(file.code, 0, file.stderr);
  const b = JSON.parse(file.stdout) as ReportJson;
  assert.equal(b.source, 'database');
  // In Los Angeles (UTC-7) the first three events all fall on May 1st.
  assert.deepEqual(
    b.rows.map((r) => [r.key, r.cost_usd]),
    [
      ['2026-05-01', 7],
      ['2026-05-03', 8],
    ],
  );
  assert.equal(b.totals.cost_usd, 15);
  assert.equal(hash(dbPath), before, 'report did not write the database file');
  assert.ok(!fs.existsSync(`${dbPath}.lock`));

  const byModel = await cli(['report', '--db', dbPath, '--json', '--by', 'model']);
  const m = JSON.parse(byModel.stdout) as ReportJson;
  // Sessions by model count each session under its latest model.
  assert.deepEqual(
    m.rows.map((r) => [r.key, r.cost_usd, r.sessions]),
    [
      ['model-y', 10, 2],
      ['model-x', 5, 1],
    ],
  );
  assert.equal(m.totals.cost_usd, 15);

  const table = await cli(['report', '--db', dbPath, '--by', 'session', '--tz', 'UTC']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^Session\s+Events\s+Sessions\s+Input\s+Output\s+Cache read\s+Cache write\s+Cost \(USD\)$/m);
  assert.match(table.stdout, /^r3\s+1\s+1\s+8,000\s+800\s+80\s+8\s+\$8\.00$/m);
  assert.match(table.stdout, /^Total\s+4\s+3\s+15,000\s+1,500\s+150\s+15\s+\$15\.00$/m);
});

test('report explains bad options and a missing database', async () => {
  const dir = tmpDir();
  const bad = await cli(['report', '--db', path.join(dir, 'x.db'), '--by', 'week']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--by must be one of day, model, project, session, agent, got "week"/);
  const since = await cli(['report', '--db', path.join(dir, 'x.db'), '--since', 'last-tuesday']);
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since must be/);
  const tz = await cli(['report', '--db', path.join(dir, 'x.db'), '--tz', 'Moon/Base']);
  assert.equal(tz.code, 2);
  assert.match(tz.stderr, /--tz/);
  const missing = await cli(['report', '--db', path.join(dir, 'missing.db'), '--json']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no database at .*missing\.db/);
  assert.ok(!fs.existsSync(path.join(dir, 'missing.db')), 'report did not create a database');
});
