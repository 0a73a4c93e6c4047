import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventInputRaw } from '../../src/core/contracts/events';
import type { ReportJson } from '../../src/core/cli/report';
import { startTestServer } from '../helpers/server';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const cli = (args: string[]) => runCli(args);

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
  assert.deepEqual(a.totals, { cost_usd: 7, tokens_in: 7000, tokens_out: 700, cache_read_tokens: 70, cache_write_tokens: 7, events: 3, sessions: 2, requests: 3, total_tokens: 7777, unpriced_tokens: 0 });
  assert.deepEqual([a.unpriced_tokens, a.unpriced_models], [0, []]);

  const liveFiltered = await cli(['report', '--db', dbPath, '--json', '--by', 'model', '--model', 'model-x', '--agent', 'claude-code']);
  assert.equal(liveFiltered.code, 0, liveFiltered.stderr);
  const lf = JSON.parse(liveFiltered.stdout) as ReportJson;
  assert.equal(lf.source, 'server');
  assert.deepEqual(lf.rows.map((r) => [r.key, r.cost_usd]), [['model-x', 5]], 'the filters reach the server');

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
  assert.match(table.stdout, /^Session\s+Events\s+Sessions\s+Input\s+Output\s+Cache read\s+Cache write\s+Total tokens\s+Cost \(USD\)$/m);
  assert.match(table.stdout, /^r3\s+1\s+1\s+8,000\s+800\s+80\s+8\s+8,888\s+\$8\.00$/m);
  assert.match(table.stdout, /^Total\s+4\s+3\s+15,000\s+1,500\s+150\s+15\s+16,665\s+\$15\.00$/m);
  assert.doesNotMatch(table.stdout, /without a price/);
});

test('report explains bad options and a missing database', async () => {
  const dir = tmpDir();
  const bad = await cli(['report', '--db', path.join(dir, 'x.db'), '--by', 'year']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--by must be one of day, week, month, model, project, session, agent, got "year"/);
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

test('report by week and month, filtered by agent, project and model, flags usage without a price', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'report.db');
  const s = await startTestServer({ dbPath }, { dir });
  const unpriced = (session: string, t: string): EventInputRaw => ({
    session_id: session, agent_type: 'codex', event_type: 'llm_request', model: 'local-llama', tokens_in: 500, tokens_out: 50, project: '/r/other', client_timestamp: t,
  });
  // 2026-05-03 is a Sunday (ISO week 18), 2026-05-04 a Monday (week 19); 2026-06-01 is in June and week 23.
  const events = [...EVENTS, unpriced('c1', '2026-05-04T09:00:00Z'), llm('r9', 'model-x', '2026-06-01T08:00:00Z', 16), unpriced('c2', '2026-06-01T09:00:00Z')];
  assert.equal((await s.post('/api/events/batch', events)).status, 201);
  await s.close();

  const weeks = await cli(['report', '--db', dbPath, '--json', '--by', 'week', '--tz', 'UTC']);
  assert.equal(weeks.code, 0, weeks.stderr);
  const w = JSON.parse(weeks.stdout) as ReportJson;
  assert.deepEqual(
    w.rows.map((r) => [r.key, r.cost_usd, r.events, r.sessions, r.unpriced_tokens]),
    [
      ['2026-W18', 15, 4, 3, 0],
      ['2026-W19', 0, 1, 1, 550],
      ['2026-W23', 16, 2, 2, 550],
    ],
  );
  assert.equal(w.totals.cost_usd, 31);
  assert.equal(w.totals.sessions, 6);
  assert.equal(w.unpriced_tokens, 1100);
  assert.deepEqual(w.unpriced_models, ['local-llama']);

  const months = await cli(['report', '--db', dbPath, '--json', '--by', 'month', '--tz', 'UTC', '--since', '2026-05-02']);
  const m = JSON.parse(months.stdout) as ReportJson;
  assert.deepEqual(
    m.rows.map((r) => [r.key, r.cost_usd, r.total_tokens]),
    [
      ['2026-05', 12, 4 * 1111 + 8 * 1111 + 550],
      ['2026-06', 16, 16 * 1111 + 550],
    ],
  );

  const claudeOnly = await cli(['report', '--db', dbPath, '--json', '--by', 'model', '--agent', 'claude-code', '--project', '/r/proj', '--model', 'model-x,model-y']);
  const c = JSON.parse(claudeOnly.stdout) as ReportJson;
  assert.deepEqual(c.filters, { agent: ['claude-code'], project: ['/r/proj'], model: ['model-x', 'model-y'] });
  assert.equal(c.totals.cost_usd, 31);
  assert.equal(c.unpriced_tokens, 0);
  const xOnly = JSON.parse((await cli(['report', '--db', dbPath, '--json', '--model', 'model-x'])).stdout) as ReportJson;
  assert.equal(xOnly.totals.cost_usd, 1 + 4 + 16);
  const codexOnly = JSON.parse((await cli(['report', '--db', dbPath, '--json', '--agent', 'codex'])).stdout) as ReportJson;
  assert.deepEqual([codexOnly.totals.cost_usd, codexOnly.totals.total_tokens, codexOnly.unpriced_models], [0, 1100, ['local-llama']]);

  const perDay = JSON.parse((await cli(['report', '--db', dbPath, '--json', '--by', 'day', '--tz', 'UTC', '--until', '2026-05-04', '--breakdown'])).stdout) as ReportJson;
  assert.deepEqual(
    perDay.rows.map((r) => [r.key, r.models!.map((m) => [m.model, m.cost_usd, m.total_tokens])]),
    [
      ['2026-05-01', [['model-y', 2, 2222], ['model-x', 1, 1111]]],
      ['2026-05-02', [['model-x', 4, 4444]]],
      ['2026-05-03', [['model-y', 8, 8888]]],
      ['2026-05-04', [['local-llama', 0, 550]]],
    ],
  );
  const perWeek = JSON.parse((await cli(['report', '--db', dbPath, '--json', '--by', 'week', '--tz', 'UTC', '--breakdown'])).stdout) as ReportJson;
  assert.deepEqual(perWeek.rows[0].models!.map((m) => [m.model, m.cost_usd]), [['model-y', 10], ['model-x', 5]]);
  const perMonthText = await cli(['report', '--db', dbPath, '--by', 'month', '--tz', 'UTC', '--breakdown']);
  assert.match(perMonthText.stdout, /^2026-06\s.*\n {2}model-x\s+1\s+1\s+16,000\s+1,600\s+160\s+16\s+17,776\s+\$16\.00\n {2}local-llama\s.*\$0\.00\*$/m);
  const wrongBreakdown = await cli(['report', '--db', dbPath, '--by', 'model', '--breakdown']);
  assert.equal(wrongBreakdown.code, 2);
  assert.match(wrongBreakdown.stderr, /--breakdown goes with --by day, week or month/);

  const text = await cli(['report', '--db', dbPath, '--by', 'month', '--tz', 'UTC']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^2026-06\s+2\s+2\s+16,500\s+1,650\s+160\s+16\s+18,326\s+\$16\.00\*$/m);
  assert.match(text.stdout, /^Total\s.*\$31\.00\*$/m);
  assert.match(text.stdout, /^\* 1,100 tokens of models without a price are not in the cost: local-llama\.$/m);
});
