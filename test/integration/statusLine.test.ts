/**
 * The status-line bridge through a real server: `agentmonitor statusline` given the JSON Claude
 * Code 2.1.197 writes (test/helpers/statusLineInput.ts, from its bundled code) posts it, the plan
 * windows reach the usage monitor as claude-code `five_hour` / `seven_day` readings with their
 * window lengths (kept as a gauge, not as events), and the line is printed whether or not the
 * server answers. The real CLI drives the same path in test/e2e/agents/claudeStatusLine.test.ts.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { EventsPage, SessionDetail, UsageMonitor } from '../../src/core/contracts/api';
import type { StatusLineAck } from '../../src/core/contracts/statusLine';
import { runStatusLine } from '../../src/core/cli/statusline';
import { startTestServer } from '../helpers/server';
import { waitFor } from '../helpers/hookFixtures';
import { claudeStatusLineInput } from '../helpers/statusLineInput';
import { runCli } from '../helpers/cli';
import { openSse } from '../helpers/sse';


async function statusline(argv: string[], input: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStatusLine(argv, { env: {}, stdin: Readable.from([Buffer.from(input)]), out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

test('agentmonitor statusline: plan windows reach the usage monitor (5 h = 300 min, 7 d = 10080 min); a repeated reading adds nothing; bad input is a 400 naming the field', async () => {
  const s = await startTestServer();
  const port = String(new URL(s.url).port);
  const resetsAt = Math.floor(Date.now() / 1000) + 2 * 3600;
  const input = JSON.stringify(claudeStatusLineInput({ sessionId: 'sl-1', cwd: '/work/proj', fiveHour: 0.29, sevenDay: 0.12, resetsAt }));

  const r = await statusline(['--port', port], input);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'Sonnet 4.5 · ctx 45% · 5h 29% · 7d 12%\n');
  assert.equal(r.err, '');

  const limits = await waitFor('the readings stored', async () => {
    const m = await s.get<UsageMonitor>('/api/stats/usage-monitor?agent_type=claude-code');
    return m.body.rate_limits.length === 2 ? m.body.rate_limits : null;
  });
  assert.deepEqual(
    limits.map((l) => [l.agent_type, l.window, l.used_percent, l.window_minutes, l.resets_at, l.stale]),
    [
      ['claude-code', 'five_hour', 29, 300, new Date(resetsAt * 1000).toISOString(), false],
      ['claude-code', 'seven_day', 12, 10080, new Date((resetsAt + 4 * 86_400) * 1000).toISOString(), false],
    ],
  );

  // Claude Code runs the command after every message: readings are a gauge, never events (they
  // would fill the session's transcript and the feed), and the same reading is not written again.
  const again = await s.post<StatusLineAck>('/api/statusline/claude-code', JSON.parse(input));
  assert.deepEqual([again.status, again.body], [200, { stored: 0 }]);
  const newer = JSON.stringify(claudeStatusLineInput({ sessionId: 'sl-1', cwd: '/work/proj', fiveHour: 0.31, sevenDay: 0.12, resetsAt }));
  assert.equal((await statusline(['--port', port], newer)).code, 0);
  const m = await s.get<UsageMonitor>('/api/stats/usage-monitor?agent_type=claude-code');
  assert.deepEqual(m.body.rate_limits.map((l) => [l.window, l.used_percent]), [['five_hour', 31], ['seven_day', 12]]);
  assert.equal((await s.get('/api/sessions/sl-1')).status, 404, 'no session or event made of readings');
  assert.deepEqual((await s.get<EventsPage>('/api/events')).body.events, []);

  const bad = JSON.parse(input) as { rate_limits: { seven_day: Record<string, unknown> } };
  bad.rate_limits.seven_day.resets_at = 'soon';
  const refused = await s.post<{ error: string }>('/api/statusline/claude-code', bad);
  assert.equal(refused.status, 400);
  assert.match(refused.body.error, /^rate_limits\.seven_day\.resets_at: /);
  const noSession = await s.post<{ error: string }>('/api/statusline/claude-code', { model: { id: 'x' } });
  assert.equal(noSession.status, 400);
  assert.match(noSession.body.error, /^session_id: /);
});

test('agentmonitor statusline prints its line when no server answers, and says why on stderr', async () => {
  const s = await startTestServer();
  const port = String(new URL(s.url).port);
  await s.close();
  const r = await statusline(['--port', port], JSON.stringify(claudeStatusLineInput({ sessionId: 'sl-2', cwd: '/p', fiveHour: 0.5 })));
  assert.equal(r.code, 0);
  assert.equal(r.out, 'Sonnet 4.5 · ctx 45% · 5h 50% · AgentMonitor not reachable\n');
  assert.match(r.err, /not sent \(.*ECONNREFUSED/);
  const junk = await statusline(['--port', port], 'not json');
  assert.equal(junk.code, 0);
  assert.equal(junk.out, 'AgentMonitor: no status-line input\n');
});

test('a chained status-line command gets the same input; its output and exit code are the line’s (the CLI as Claude Code runs it)', async () => {
  const s = await startTestServer();
  const port = String(new URL(s.url).port);
  const input = JSON.stringify(claudeStatusLineInput({ sessionId: 'sl-3', cwd: '/p', fiveHour: 0.07 }));
  const run = (chain: string) => runCli(['statusline', '--port', port, '--chain', Buffer.from(chain).toString('base64url')], {}, input);
  const mine = await run(`input=$(cat); printf 'mine: %s bytes\\n' "\${#input}"`);
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(mine.stdout, `mine: ${Buffer.byteLength(input)} bytes\n`);
  await waitFor('the reading stored', async () => {
    const m = await s.get<UsageMonitor>('/api/stats/usage-monitor?agent_type=claude-code');
    return m.body.rate_limits.length === 1 ? true : null;
  });
  const failing = await run('echo partial; exit 3');
  assert.deepEqual([failing.code, failing.stdout], [3, 'partial\n']);
});

test('the status line\'s context goes on its session (its window over the model\'s), live as a session_update; before the session exists it is tried again', async () => {
  const s = await startTestServer();
  const sse = await openSse(`${s.url}/api/stream`);
  try {
    const sid = 'ctx-1';
    const line = (tokens: number, window: number) => {
      const input = claudeStatusLineInput({ sessionId: sid, cwd: '/work/proj', contextTokens: tokens });
      const c = input.context_window as Record<string, unknown>;
      return { ...input, context_window: { ...c, context_window_size: window, used_percentage: Math.round((100 * tokens) / window) } };
    };
    // Claude Code runs its status line before the first hook can have stored the session.
    assert.equal((await s.post('/api/statusline/claude-code', line(100_000, 1_000_000))).status, 200);
    assert.equal((await s.get('/api/sessions/ctx-1')).status, 404);

    const request = { session_id: sid, agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5-20250929', project: '/work/proj' };
    assert.equal((await s.post('/api/events', { ...request, tokens_in: 10, cache_read_tokens: 9_990 })).status, 201);
    const byModel = await waitFor('the request stored', async () => (await s.get<SessionDetail>('/api/sessions/ctx-1')).body.session?.context_tokens === 10_000 || null);
    assert.ok(byModel);
    assert.equal((await s.get<SessionDetail>('/api/sessions/ctx-1')).body.session.context_window, 200_000, "the model's window from its name");

    // The reading the session missed is written when it comes again. The [1m] variant's transcript
    // names the plain model: the status line knows the window.
    assert.equal((await s.post('/api/statusline/claude-code', line(100_000, 1_000_000))).status, 200);
    const first = await sse.waitFor('session_update', (m) => m.session.session_id === sid && m.session.context_tokens === 100_000);
    assert.equal(first.session.context_window, 1_000_000);
    assert.equal((await s.post('/api/statusline/claude-code', line(250_000, 1_000_000))).status, 200);
    const update = await sse.waitFor('session_update', (m) => m.session.session_id === sid && m.session.context_tokens === 250_000);
    assert.equal(update.session.context_window, 1_000_000);
    const stored = (await s.get<SessionDetail>('/api/sessions/ctx-1')).body.session;
    assert.deepEqual([stored.context_tokens, stored.context_window], [250_000, 1_000_000]);

    // A newer request moves the tokens; the reported window stays.
    const later = new Date(Date.now() + 5_000).toISOString();
    assert.equal((await s.post('/api/events', { ...request, tokens_in: 20, cache_read_tokens: 299_980, client_timestamp: later })).status, 201);
    const moved = await waitFor('the newer request', async () => {
      const x = (await s.get<SessionDetail>('/api/sessions/ctx-1')).body.session;
      return x.context_tokens === 300_000 ? x : null;
    });
    assert.equal(moved.context_window, 1_000_000);
  } finally {
    sse.close();
  }
});
