import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, formatAgo, formatDuration, formatTokens, formatUsd, projectName } from '../../src/extension/model/format';
import { dayKey, isOverBudget, tickerText, tickerView } from '../../src/extension/model/statusText';
import type { Stats } from '../../src/core/contracts/api';

test('money, tokens, ages and durations', () => {
  assert.equal(formatUsd(12.345), '$12.35');
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(0.004), '$0.004');
  assert.equal(formatUsd(0.0278), '$0.0278');
  assert.equal(formatUsd(0.5), '$0.50');
  assert.equal(formatUsd(0.123456), '$0.1235');
  assert.equal(formatUsd(0.00001), '<$0.0001');
  assert.equal(formatUsd(0.999), '$1.00');
  assert.equal(formatUsd(null), '$0.00');
  assert.equal(formatUsd(12345.6), '$12,346');
  assert.equal(formatTokens(999), '999');
  assert.equal(formatTokens(1500), '1.5k');
  assert.equal(formatTokens(2_000_000), '2M');
  assert.equal(formatTokens(123_456_789), '123M');
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(formatAgo('2026-01-01T00:09:58Z', now), 'just now');
  assert.equal(formatAgo('2026-01-01T00:09:15Z', now), '45s ago');
  assert.equal(formatAgo('2026-01-01T00:08:00Z', now), '2m ago');
  assert.equal(formatAgo('2025-12-31T21:10:00Z', now), '3h ago');
  assert.equal(formatAgo('2025-12-25T00:10:00Z', now), '7d ago');
  assert.equal(formatAgo('not a date', now), '');
  assert.equal(formatDuration(250), '250 ms');
  assert.equal(formatDuration(1500), '1.5 s');
  assert.equal(formatDuration(95_000), '1m 35s');
  assert.equal(projectName('C:\\work\\shop\\'), 'shop');
  assert.equal(escapeMarkdown('[x](javascript:alert)'), '\\[x\\]\\(javascript:alert\\)');
});

function stats(cost: number, active: number): Stats {
  const period = { tokens_in: 100, tokens_out: 50, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: cost, events: 3, sessions: 1, requests: 2 };
  return {
    generated_at: '2026-01-01T00:00:00Z',
    total: period,
    today: period,
    last_7_days: period,
    last_30_days: period,
    active_sessions: active,
    active_agents: 1,
    agents: [
      { agent_type: 'claude-code', last_seen_at: '2026-01-01T00:00:00Z', sessions: 2, active_sessions: active, today_cost_usd: cost, total_cost_usd: cost },
      { agent_type: 'codex', last_seen_at: '2026-01-01T00:00:00Z', sessions: 1, active_sessions: 0, today_cost_usd: 0, total_cost_usd: 4 },
    ],
    burn_rate_usd_per_hour: 1.5,
    events_per_minute: 2,
  };
}

test('ticker text and budget', () => {
  assert.equal(tickerText(12.34, 2), '$(pulse) $12.34 · 2 active');
  assert.equal(tickerText(12.34, 2, 0, 20), '$(pulse) $12.34 · 2 active', 'under the budget: as without one');
  assert.equal(tickerText(12.34, 2, 1, 10), '$(warning) over budget: $12.34 of $10.00 · 2 active · $(bell-dot) 1 waiting', 'over it: said in text');
  assert.equal(isOverBudget(10.01, 10), true);
  assert.equal(isOverBudget(10, 10), false);
  assert.equal(isOverBudget(100, 0), false);
  assert.equal(isOverBudget(100, null), false);
  assert.equal(dayKey(new Date(2026, 0, 5, 23, 59).getTime()), '2026-01-05');
});

test('ticker view: connected shows cost, breakdown by agent and model, and warns over budget', () => {
  const owner = { kind: 'owner' as const, url: 'http://127.0.0.1:3142', pid: 1 };
  const rows = [{ key: 'claude-sonnet-4-5', cost_usd: 12.34, tokens_in: 1, tokens_out: 1, cache_read_tokens: 0, cache_write_tokens: 0, requests: 3, events: 3, sessions: 1 }];
  const v = tickerView(owner, stats(12.34, 2), rows, 10);
  assert.equal(v.text, '$(warning) over budget: $12.34 of $10.00 · 2 active');
  assert.equal(v.background, 'warning');
  assert.match(v.tooltip, /^\*\*AgentMonitor — today \$12\.34\*\* of \$10\.00 budget {2}\n\*\*Over budget:\*\* \$12\.34 of \$10\.00 \(\$2\.34 over\)/);
  assert.equal(v.overBudget, true);
  assert.match(v.tooltip, /\*\*By agent\*\* {2}\nClaude Code: \$12\.34 \(2 active\)/);
  assert.doesNotMatch(v.tooltip, /Codex:/, 'agents without cost today or activity are left out');
  assert.match(v.tooltip, /\*\*By model\*\* {2}\nclaude\\-sonnet\\-4\\-5: \$12\.34/);
  assert.match(v.tooltip, /of \$10\.00 budget/);
  const under = tickerView({ kind: 'follower', url: 'http://127.0.0.1:3142', pid: 7 }, stats(1, 0), null, 10);
  assert.equal(under.background, 'none');
  assert.equal(under.text, '$(pulse) $1.00 · 0 active');
  assert.doesNotMatch(under.tooltip, /Over budget/);
  assert.match(under.tooltip, /Following the server/);
});

test('ticker view: error states', () => {
  assert.equal(tickerView({ kind: 'failed', message: 'boom' }, null, null, null).background, 'error');
  const f = tickerView({ kind: 'foreign', port: 3142, message: 'Port 3142 is used by another program' }, null, null, null);
  assert.equal(f.text, '$(warning) AgentMonitor: port busy');
  assert.equal(tickerView({ kind: 'starting' }, null, null, null).text, '$(loading~spin) AgentMonitor');
});

test('import texts and the waiter that follows one import over SSE', async () => {
  const { importSummaryText, importProgressText, importFraction, ImportWaiter } = await import('../../src/extension/model/importText');
  const summary = { import_id: 'i1', files: 3, files_skipped_unchanged: 1, events: 1234, duplicates: 5, lines: 2000, skipped_lines: 2, skipped: [{ file: 'a.jsonl', line: 7, reason: 'bad JSON' }], duration_ms: 10, cancelled: false };
  assert.equal(importSummaryText(summary), 'Import done: 1,234 new events from 3 files, 1 unchanged, 5 already known, 2 lines skipped (e.g. a.jsonl:7: bad JSON).');
  assert.match(importSummaryText({ ...summary, cancelled: true }), /^Import cancelled/);
  const p = { import_id: 'i1', phase: 'importing' as const, files_done: 1, files_total: 4, bytes_done: 50, bytes_total: 200, events: 10 };
  assert.equal(importProgressText(p), '1/4 files · 10 events');
  assert.equal(importFraction(p), 0.25);
  const seen: number[] = [];
  const w = new ImportWaiter((x) => seen.push(x.files_done));
  // progress of this import arrives before POST /api/import answered; another import's is ignored
  w.message({ type: 'import_progress', progress: p });
  w.message({ type: 'import_progress', progress: { ...p, import_id: 'other', files_done: 9 } });
  w.track('i1');
  w.message({ type: 'import_done', summary: { ...summary, import_id: 'other' } });
  w.message({ type: 'import_progress', progress: { ...p, files_done: 2 } });
  w.message({ type: 'import_done', summary });
  assert.deepEqual(await w.done, summary);
  assert.deepEqual(seen, [1, 2]);
  const failing = new ImportWaiter(() => {});
  failing.track('x');
  failing.message({ type: 'import_progress', progress: { ...p, import_id: 'x', phase: 'error', message: 'disk full' } });
  await assert.rejects(failing.done, /disk full/);
});
