import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateStatusLine } from '../../src/core/contracts/statusLine';
import {
  chainedCommand,
  hasOurStatusLine,
  installStatusLine,
  removeStatusLine,
  statusLineContext,
  statusLineReadings,
  statusLineText,
} from '../../src/core/hooks/statusLine';
import { claudeStatusLineInput } from '../helpers/statusLineInput';

const BIN = "/usr/bin/node '/opt/agent monitor/dist/cli.js'";

test('a status-line input’s plan windows are readings with the windows’ lengths (0.29 × 100 kept to the hundredth)', () => {
  const resetsAt = 1_765_000_000;
  const v = validateStatusLine(claudeStatusLineInput({ sessionId: 's-1', cwd: '/work/proj', fiveHour: 0.29, sevenDay: 0.12, resetsAt }));
  assert.ok(v.ok);
  assert.deepEqual(statusLineReadings(v.value), [
    { window: 'five_hour', used_percent: 29, window_minutes: 300, resets_at: resetsAt * 1000 },
    { window: 'seven_day', used_percent: 12, window_minutes: 10080, resets_at: (resetsAt + 4 * 86_400) * 1000 },
  ]);
});

test('an input without rate limits (an API-key user) has no readings; the printed line says what it knows', () => {
  const v = validateStatusLine(claudeStatusLineInput({ sessionId: 's-2', cwd: '/p' }));
  assert.ok(v.ok);
  assert.deepEqual(statusLineReadings(v.value), []);
  assert.equal(statusLineText(v.value, true), 'Sonnet 4.5 · ctx 45%');
  const sub = validateStatusLine(claudeStatusLineInput({ sessionId: 's-2', cwd: '/p', fiveHour: 0.29, sevenDay: 0.12 }));
  assert.ok(sub.ok);
  assert.equal(statusLineText(sub.value, true), 'Sonnet 4.5 · ctx 45% · 5h 29% · 7d 12%');
  assert.equal(statusLineText(sub.value, false), 'Sonnet 4.5 · ctx 45% · 5h 29% · 7d 12% · AgentMonitor not reachable');
});

test('the context: the current usage\'s prompt (input + cache write + cache read) of the reported window; from the percentage without usage; none before a response', () => {
  const input = claudeStatusLineInput({ sessionId: 's-3', cwd: '/p', contextTokens: 90_000 });
  const v = validateStatusLine(input);
  assert.ok(v.ok);
  assert.deepEqual(statusLineContext(v.value), { tokens: 90_000, window: 200_000 });
  const ctx = input.context_window as Record<string, unknown>;
  const long = validateStatusLine({ ...input, context_window: { ...ctx, context_window_size: 1_000_000, current_usage: null, used_percentage: 12 } });
  assert.ok(long.ok);
  assert.deepEqual(statusLineContext(long.value), { tokens: 120_000, window: 1_000_000 });
  const fresh = validateStatusLine({ ...input, context_window: { ...ctx, current_usage: null, used_percentage: null } });
  assert.ok(fresh.ok);
  assert.equal(statusLineContext(fresh.value), null);
});

test('validation names the field', () => {
  const bad = claudeStatusLineInput({ sessionId: 's', cwd: '/p', fiveHour: 0.5 });
  (bad.rate_limits as { five_hour: Record<string, unknown> }).five_hour.used_percentage = '50';
  const r = validateStatusLine(bad);
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.map((e) => e.field), ['rate_limits.five_hour.used_percentage']);
  const none = validateStatusLine({ model: {} });
  assert.ok(!none.ok);
  assert.deepEqual(none.errors.map((e) => e.field), ['session_id']);
  const arr = validateStatusLine([]);
  assert.ok(!arr.ok);
  assert.equal(arr.errors[0].field, '(body)');
});

test('statusLine in settings: set when absent; a user’s command chained and given back unchanged; a second install changes nothing', () => {
  const fresh = installStatusLine({ model: 'opus' }, BIN, 3142);
  assert.ok(fresh.changed);
  assert.deepEqual(fresh.settings, { model: 'opus', statusLine: { type: 'command', command: `${BIN} statusline --port 3142` } });
  assert.ok(hasOurStatusLine(fresh.settings));
  assert.equal(installStatusLine(fresh.settings, BIN, 3142).changed, false);
  assert.deepEqual(removeStatusLine(fresh.settings).settings, { model: 'opus' });

  const mine = `input=$(cat); echo "$(echo "$input" | jq -r '.model.display_name') in $(basename "$PWD")"`;
  const user = { statusLine: { type: 'command', command: mine, padding: 2 } };
  const chained = installStatusLine(user, BIN, 4000);
  assert.ok(chained.changed);
  assert.equal(chained.chained, mine);
  const cmd = (chained.settings.statusLine as { command: string }).command;
  assert.match(cmd, /^\/usr\/bin\/node '\/opt\/agent monitor\/dist\/cli\.js' statusline --port 4000 --chain [A-Za-z0-9_-]+$/);
  assert.equal(chainedCommand(cmd), mine);
  assert.equal((chained.settings.statusLine as { padding: number }).padding, 2, 'its other fields stay');
  // Installing again (another port) keeps the user's command chained, never chains ours.
  const moved = installStatusLine(chained.settings, BIN, 4001);
  assert.equal(chainedCommand((moved.settings.statusLine as { command: string }).command), mine);
  assert.deepEqual(removeStatusLine(moved.settings).settings, user);

  const other = installStatusLine({ statusLine: { type: 'static', text: 'hi' } }, BIN, 3142);
  assert.equal(other.changed, false);
  assert.match(other.refused ?? '', /of type "static", not a command/);
  assert.equal(removeStatusLine(user).changed, false, 'a user’s own statusLine is never removed');
});
