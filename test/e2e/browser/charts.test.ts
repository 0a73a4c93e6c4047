/**
 * The overview's live pulse and the charts of Costs, Tools and Usage, in chromium: live updates
 * without refetching, only active sessions under "Running now", Tools' "Other" series and legend
 * totals, distinct colours, x ranges clamped to the data, one clean table per CSV file, tables
 * sorted by any column.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import type { Pulse } from '../../../src/core/contracts/api';
import { startTestServer } from '../../helpers/server';
import { buildWebview, launch, openPage, screenshot } from './browser';

const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'WebFetch', 'TodoWrite', 'Task', 'NotebookEdit', 'LS'];

function seed(now: number): EventInputRaw[] {
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  const live = { session_id: 'sess-live', agent_type: 'claude-code', project: '/work/live' };
  const old = { session_id: 'sess-quiet', agent_type: 'codex', project: '/work/quiet' };
  const events: EventInputRaw[] = [
    { ...old, event_type: 'session_start', event_id: 'q-start', client_timestamp: at(9 * 60) },
    { ...old, event_type: 'llm_request', event_id: 'q-llm', model: 'gpt-5-codex', tokens_in: 1000, tokens_out: 100, client_timestamp: at(8 * 60) },
    { ...live, event_type: 'session_start', event_id: 'l-start', client_timestamp: at(120) },
    { ...live, event_type: 'llm_request', event_id: 'l-llm', model: 'claude-sonnet-4-5', tokens_in: 1200, tokens_out: 800, client_timestamp: at(60) },
  ];
  // Eleven tools, all within the last minute (one hour bucket for the Tools chart).
  TOOLS.forEach((tool, i) => {
    for (let k = 0; k <= TOOLS.length - i; k++) {
      events.push({ ...live, event_type: 'tool_use', event_id: `l-${tool}-${k}`, tool_name: tool, status: 'success', duration_ms: 10, client_timestamp: at(30 + i) });
    }
  });
  return events;
}

async function goto(page: Page, view: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), `#/${view}`);
  await page.waitForFunction((v) => document.querySelector('main')?.getAttribute('data-view') === v, view);
}

describe('charts in chromium', async () => {
  buildWebview();
  const server = await startTestServer();
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', seed(Date.now()));
  assert.deepEqual(seeded.body.rejected, [], JSON.stringify(seeded));
  const browser = await launch();
  const { page, problems } = await openPage(browser);
  const pulseRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/stats/pulse')) pulseRequests.push(r.url());
  });
  await page.goto(`${server.url}/`);

  it('the overview pulse shows the last hour, with a summary, and follows SSE events without refetching', async () => {
    const summary = page.locator('#pulse-events-summary');
    await summary.waitFor();
    const pulse = (await server.get<Pulse>('/api/stats/pulse')).body;
    const total = pulse.buckets.reduce((a, b) => a + b.events, 0);
    assert.match((await summary.textContent()) ?? '', new RegExp(`^${total} events in the last 60 minutes`));
    const chart = page.locator('[data-testid=pulse-events] .chart[role=img]');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /Events per minute/);
    assert.equal(await chart.getAttribute('aria-describedby'), 'pulse-events-summary');
    // The not-hovered legend shows the total, not a dash.
    await page.waitForFunction((n) => document.querySelector('[data-testid=pulse-events] .u-legend .u-series:nth-child(2) .u-value')?.textContent === String(n), total);
    const asked = pulseRequests.length;
    assert.equal(asked, 1);
    const posted = await server.post('/api/events', { session_id: 'sess-live', agent_type: 'claude-code', event_type: 'user_prompt', event_id: 'l-more', client_timestamp: new Date().toISOString() });
    assert.ok(posted.status < 300);
    await page.waitForFunction((n) => document.querySelector('#pulse-events-summary')?.textContent?.startsWith(`${n} events`), total + 1);
    assert.equal(pulseRequests.length, asked, 'no refetch for a live event');
    await screenshot(page, 'charts-overview-pulse');
  });

  it('running now lists only active sessions (not one idle for eight minutes)', async () => {
    await page.locator('[data-testid=agent-card][data-session=sess-live]').waitFor();
    assert.equal(await page.locator('[data-testid=agent-card][data-session=sess-quiet]').count(), 0);
    const label = (await page.locator('[data-testid=burn-rate] .metric-label').textContent()) ?? '';
    assert.match(label, /last 60 min/i);
  });

  it('tools: the top tools and "Other", a titled chart, legend totals, distinct colours, one bucket not stretched over years', async () => {
    await goto(page, 'tools');
    const chart = page.locator('[data-testid=tools-chart]');
    await chart.locator('.u-legend').waitFor();
    assert.match((await chart.locator('.chart-title').textContent()) ?? '', /Tool calls per hour \(calls\)/);
    assert.match((await chart.locator('.chart-summary').textContent()) ?? '', /other 3 are summed as "Other"/);
    const legend = await chart.locator('.u-legend .u-series').evaluateAll((rows) =>
      rows.slice(1).map((r) => ({
        label: r.querySelector('.u-label')?.textContent ?? '',
        value: r.querySelector('.u-value')?.textContent ?? '',
        colour: getComputedStyle(r.querySelector('.u-marker')!).backgroundColor,
      })),
    );
    assert.equal(legend.length, 9);
    const other = legend.find((l) => l.label === 'Other');
    assert.ok(other, JSON.stringify(legend));
    // Tool i has 12 - i calls: Task, NotebookEdit and LS (4 + 3 + 2) are folded.
    assert.equal(other.value, '9');
    assert.equal(legend.find((l) => l.label === 'Read')?.value, String(TOOLS.length + 1));
    for (const l of legend) assert.notEqual(l.value, '—');
    assert.equal(new Set(legend.map((l) => l.colour)).size, legend.length, JSON.stringify(legend.map((l) => l.colour)));
    const [min, max] = ((await chart.locator('.chart').getAttribute('data-x-range')) ?? '').split(',').map(Number);
    assert.equal(max - min, 3600, 'one hour bucket, half an hour of room each side');
    await screenshot(page, 'charts-tools');
  });

  it('costs: CSV export is one table with a named key column and rounded costs', async () => {
    await goto(page, 'costs');
    await page.locator('[data-testid=costs-chart] .u-legend').waitFor();
    await page.selectOption('[data-testid=export-table]', 'by_model');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    assert.match(download.suggestedFilename(), /^agentmonitor-costs-by_model-30d-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    assert.match(lines[0], /^model,cost_usd,/);
    assert.ok(lines.length >= 2);
    for (const l of lines) assert.doesNotMatch(l, /^#/);
    for (const l of lines.slice(1)) assert.match(l.split(',')[1], /^\d+(\.\d{1,6})?$/);
    const [, cMax] = ((await page.locator('[data-testid=costs-chart] .chart').getAttribute('data-x-range')) ?? '').split(',').map(Number);
    assert.ok(cMax * 1000 < Date.now() + 2 * 86_400_000, 'the day axis ends with the data, not years later');
  });

  it('the Tools and Costs tables sort by any column, by click and by keyboard, and say which', async () => {
    const keys = (testId: string) => page.locator(`[data-testid=${testId}] tbody tr`).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-key')));
    /** Waits for the render that marks `key` sorted in `dir` (the rows are ordered in the same render). */
    const sorted = (testId: string, key: string, dir: 'ascending' | 'descending') => page.locator(`[data-testid=${testId}] th[data-sort=${key}][aria-sort=${dir}]`).waitFor();
    await goto(page, 'tools');
    const tools = page.locator('[data-testid=tools-table]');
    await tools.locator('tbody tr').first().waitFor();
    const served = await keys('tools-table');
    await sorted('tools-table', 'calls', 'descending');
    await tools.locator('th[data-sort=tool_name] button').click();
    await sorted('tools-table', 'tool_name', 'ascending');
    assert.equal(await tools.locator('th[aria-sort]').count(), 1);
    assert.deepEqual(await keys('tools-table'), [...TOOLS].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })));
    await tools.locator('th[data-sort=calls] button').focus();
    await page.keyboard.press('Enter');
    await sorted('tools-table', 'calls', 'descending');
    assert.deepEqual(await keys('tools-table'), served, 'most called first');
    await page.keyboard.press(' ');
    await sorted('tools-table', 'calls', 'ascending');
    assert.deepEqual(await keys('tools-table'), [...served].reverse());

    await goto(page, 'costs');
    const byModel = page.locator('[data-testid=cost-by-model]');
    await byModel.locator('tbody tr').first().waitFor();
    await byModel.locator('th[data-sort=key] button').click();
    await sorted('cost-by-model', 'key', 'ascending');
    assert.deepEqual(await keys('cost-by-model'), ['claude-sonnet-4-5', 'gpt-5-codex']);
    await byModel.locator('th[data-sort=key] button').click();
    await sorted('cost-by-model', 'key', 'descending');
    assert.deepEqual(await keys('cost-by-model'), ['gpt-5-codex', 'claude-sonnet-4-5']);
    await byModel.locator('th[data-sort=tokens_in] button').click();
    await sorted('cost-by-model', 'tokens_in', 'descending');
    assert.deepEqual(await keys('cost-by-model'), ['claude-sonnet-4-5', 'gpt-5-codex'], '1,200 input tokens before 1,000');
  });

  it('no console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
