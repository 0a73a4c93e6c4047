/**
 * Issue 18: plan limits in the status-bar ticker's tooltip. The extension's LiveConnection follows a
 * real server that got a Claude Code status-line reading (through `agentmonitor statusline`, the
 * JSON Claude Code 2.1.197 writes) and a Codex reading a year old; the tooltip lists the fresh
 * readings with their windows and reset times, warns at 80% and 95%, and leaves the old one out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { RateLimitInfo } from '../../src/core/contracts/api';
import { runStatusLine } from '../../src/core/cli/statusline';
import { LiveConnection, type ServerSource } from '../../src/extension/api/liveConnection';
import { freshRateLimits, tickerView } from '../../src/extension/model/statusText';
import type { ServerState } from '../../src/extension/server/serverState';
import { waitFor } from '../helpers/hookFixtures';
import { startTestServer } from '../helpers/server';
import { claudeStatusLineInput } from '../helpers/statusLineInput';

const OWNER: ServerState = { kind: 'owner', url: 'http://127.0.0.1:3142', pid: 1 };
const hm = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

test('the ticker tooltip lists fresh plan limits (Claude Code from its status line), warns at 80%, leaves stale readings out', async () => {
  const s = await startTestServer();
  const now = Date.now();
  const resetsAt = Math.floor(now / 1000) + 2 * 3600;
  const out: string[] = [];
  const code = await runStatusLine(['--port', String(new URL(s.url).port)], {
    env: {},
    stdin: Readable.from([Buffer.from(JSON.stringify(claudeStatusLineInput({ sessionId: 'tt-1', cwd: '/p', fiveHour: 0.42, sevenDay: 0.85, resetsAt })))]),
    out: (x) => out.push(x),
    err: (x) => out.push(x),
  });
  assert.equal(code, 0, out.join(''));
  const old = await s.post('/api/events', {
    session_id: 'cx',
    agent_type: 'codex',
    event_type: 'rate_limit',
    event_id: 'cx-rl',
    client_timestamp: new Date(now - 395 * 86_400_000).toISOString(),
    metadata: { rate_limits: [{ window: 'secondary', used_percent: 97, window_minutes: 10080 }] },
  });
  assert.ok(old.status < 300, JSON.stringify(old.body));

  const state: ServerState = { kind: 'follower', url: s.url, pid: process.pid };
  const source: ServerSource = { state, onDidChangeState: () => ({ dispose() {} }), ensure: async () => state };
  const live = new LiveConnection(source, { log: () => {}, coalesceMs: 10, modelRefreshMs: 0 });
  try {
    const limits = await waitFor('the three readings loaded', async () => (live.rateLimits.length === 3 ? live.rateLimits : null));
    assert.deepEqual(freshRateLimits(limits, Date.now()).map((l) => `${l.agent_type}/${l.window}`), ['claude-code/five_hour', 'claude-code/seven_day']);
    const tip = tickerView(OWNER, live.stats, null, null, [], live.rateLimits).tooltip;
    const lines = tip.split('  \n');
    const at = lines.indexOf('**Plan limits**');
    assert.ok(at > 0, tip);
    const week = new Date((resetsAt + 4 * 86_400) * 1000);
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      `Claude Code 5-hour window: 42% used, resets at ${hm(resetsAt * 1000)}`,
      `Claude Code 7-day window: 85% used, resets ${week.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric' })} ${hm(week.getTime())} — **over 80%**`,
    ]);
    assert.doesNotMatch(tip, /Codex/, 'the year-old Codex reading is not shown');
  } finally {
    live.dispose();
  }
});

test('a reading whose window reset since it was listed is no longer shown; 95% says almost used up', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const r = (o: Partial<RateLimitInfo>): RateLimitInfo => ({
    agent_type: 'claude-code',
    window: 'five_hour',
    used_percent: 96,
    window_minutes: 300,
    resets_at: '2026-12-07T13:00:00Z',
    observed_at: '2026-12-07T11:00:00Z',
    stale: false,
    ...o,
  });
  const tip = (l: RateLimitInfo[], at: number) => tickerView(OWNER, null, null, null, [], l, at).tooltip;
  assert.match(tip([r({})], now), /Claude Code 5-hour window: 96% used, resets at \d\d:\d\d — \*\*almost used up\*\*/);
  assert.doesNotMatch(tip([r({})], Date.parse('2026-12-07T13:00:01Z')), /Plan limits/);
  assert.doesNotMatch(tip([r({ resets_at: null, observed_at: '2026-12-07T06:00:00Z' })], now), /Plan limits/, 'older than its 5-hour window');
  assert.doesNotMatch(tip([r({ stale: true })], now), /Plan limits/);
});
