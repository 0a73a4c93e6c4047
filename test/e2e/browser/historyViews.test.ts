/**
 * History views (issue 17): the live feed in event-time order with dates, live events put in their
 * place; Costs and Tools beyond 90 days (all time, a custom range, kept in the location hash); the
 * Sessions list's filters and subagents nested under their parent.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CostBreakdown } from '../../../src/core/contracts/api';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { formatUsd } from '../../../webview/lib/format';
import { startTestServer, type TestServer } from '../../helpers/server';
import { inOneUtcDay } from '../../helpers/period';
import { buildWebview, launch, openPage, screenshot } from './browser';

const DAY = 86_400_000;

const NOW_S = { session_id: 'hist-now', agent_type: 'claude-code', project: '/work/alpha' };
const OLD_S = { session_id: 'hist-old', agent_type: 'codex', project: '/work/beta' };

/** Recent events first, then (stored later, as an import of old transcripts is) events days old. */
function seed(now: number): EventInputRaw[] {
  const at = (ago: number) => new Date(now - ago).toISOString();
  return [
    { ...NOW_S, event_type: 'llm_request', tool_name: undefined, model: 'claude-sonnet-4-5', tokens_in: 10, tokens_out: 10, cost_usd: 1, client_timestamp: at(120_000) },
    { ...NOW_S, event_type: 'tool_use', tool_name: 'RecentTool', status: 'success', duration_ms: 5, client_timestamp: at(60_000) },
    { ...OLD_S, event_type: 'tool_use', tool_name: 'DaysOldTool', status: 'success', duration_ms: 5, client_timestamp: at(3 * DAY) },
    { ...OLD_S, event_type: 'llm_request', model: 'gpt-5-codex', tokens_in: 10, tokens_out: 10, cost_usd: 7, client_timestamp: at(200 * DAY) },
    { ...OLD_S, event_type: 'tool_use', tool_name: 'ArchaicTool', status: 'success', duration_ms: 5, client_timestamp: at(200 * DAY - 1000) },
  ];
}

/** The feed's loaded rows, top to bottom: `[tool or type, time cell text]`. */
async function feedRows(page: Page): Promise<[string, string][]> {
  return page.locator('.vlist-spacer .vrow').evaluateAll((rows) =>
    rows
      .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
      .map((r) => [r.querySelector('.c-tool')!.textContent || r.querySelector('.c-type')!.textContent!, r.querySelector('.c-time')!.textContent!] as [string, string]),
  );
}

describe('history views', async () => {
  buildWebview();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-history-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server: TestServer = await startTestServer({}, { dir });
  // The recent seeds (2 minutes old at most) are today's: the feed shows them without a date.
  await inOneUtcDay(120_000);
  const now = Date.now();
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', seed(now));
  assert.deepEqual(seeded.body.rejected, []);
  const browser = await launch();
  const w = await openPage(browser);
  const page = w.page;

  it('feed: ordered by event time with dates on older days; live events land in their place', async () => {
    await page.goto(`${server.url}/#/feed`);
    await page.waitForFunction(() => document.querySelectorAll('.vlist-spacer .vrow').length === 5);
    const rows = await feedRows(page);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['RecentTool', 'llm_request', 'DaysOldTool', 'ArchaicTool', 'llm_request'],
      'newest event time first, whatever the order they were stored in',
    );
    const clock = /^\d\d:\d\d:\d\d$/;
    assert.match(rows[0][1], clock, 'today: the time only');
    for (const [, t] of rows.slice(2)) assert.doesNotMatch(t, clock, `another day shows its date: "${t}"`);
    const day3 = new Date(now - 3 * DAY).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    assert.ok(rows[2][1].startsWith(day3), `"${rows[2][1]}" starts with ${day3}`);

    // Live: one event from two days ago (an import running), one from now.
    const at = (ago: number) => new Date(Date.now() - ago).toISOString();
    await server.post('/api/events/batch', [
      { ...OLD_S, event_type: 'tool_use', tool_name: 'LiveOldTool', status: 'success', client_timestamp: at(2 * DAY) },
      { ...NOW_S, event_type: 'tool_use', tool_name: 'LiveNewTool', status: 'success', client_timestamp: at(0) },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('.vlist-spacer .vrow').length === 7);
    assert.deepEqual(
      (await feedRows(page)).map((r) => r[0]),
      ['LiveNewTool', 'RecentTool', 'llm_request', 'LiveOldTool', 'DaysOldTool', 'ArchaicTool', 'llm_request'],
    );
    const cut = await page.locator('.vlist-spacer .vrow .c-time').evaluateAll((cells) => cells.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    assert.deepEqual(cut, [], 'dates are not cut');
    await screenshot(page, 'feed-history');
    assert.deepEqual(w.problems, []);
  });

  it('costs and tools: all time and a custom range reach events older than 90 days, kept in the location hash', async () => {
    const total = async (query: string) => formatUsd((await server.get<CostBreakdown>(`/api/stats/cost?tz=UTC${query}`)).body.totals.cost_usd);
    const waitTotal = (want: string) => page.waitForFunction((t) => document.querySelector('[data-testid=costs-total]')?.textContent?.includes(t), want);
    await page.goto(`${server.url}/#/costs`);
    const recent = await total(`&since=${new Date(now - 29 * DAY).toISOString().slice(0, 10)}`);
    await waitTotal(recent);
    const all = await total('');
    assert.notEqual(all, recent, 'the old event costs something');
    await page.locator('[data-period=all]').click();
    await waitTotal(all);
    assert.equal(await page.evaluate(() => location.hash), '#/costs?period=all');
    await page.reload();
    await waitTotal(all);
    assert.equal(await page.locator('[data-period=all]').getAttribute('aria-checked'), 'true', 'the period survives a reload');

    // A custom range: the one day, 200 days ago.
    const day = new Date(now - 200 * DAY).toISOString().slice(0, 10);
    await page.locator('[data-period=custom]').click();
    await page.locator('[data-testid=period-from]').fill(day);
    await page.waitForFunction((d) => location.hash.includes(`from=${d}`), day);
    await page.locator('[data-testid=period-to]').fill(day);
    await page.waitForFunction((d) => location.hash.includes(`to=${d}`), day);
    await waitTotal(await total(`&since=${day}&until=${day}`));
    assert.equal(await page.locator('[data-period=custom]').getAttribute('aria-checked'), 'true');
    await screenshot(page, 'costs-custom-range');

    // Tools: the default period does not reach the old tool call; all time does.
    await page.goto(`${server.url}/#/tools`);
    await page.waitForSelector('[data-testid=tools-table] tr[data-key=RecentTool]');
    assert.equal(await page.locator('[data-testid=tools-table] tr[data-key=ArchaicTool]').count(), 0);
    await page.locator('[data-period=all]').click();
    await page.waitForSelector('[data-testid=tools-table] tr[data-key=ArchaicTool]');
    assert.equal(await page.evaluate(() => location.hash), '#/tools?period=all');
    assert.deepEqual(w.problems, []);
  });

  it('sessions: filters by agent, status, project and cost; subagents nested under their parent, collapsed', async () => {
    const at = (ago: number) => new Date(Date.now() - ago).toISOString();
    const sub = (id: string, parent: string) => ({
      session_id: id,
      agent_type: 'claude-code',
      project: '/work/alpha',
      event_type: 'tool_use',
      tool_name: 'Task',
      status: 'success',
      client_timestamp: at(0),
      metadata: { parent_session_id: parent },
    });
    await server.post('/api/events/batch', [sub('hist-now-sub1', 'hist-now'), sub('hist-now-sub2', 'hist-now'), { ...sub('hist-orphan', 'not-stored'), project: '/work/gamma' }]);
    const keys = () => page.locator('[data-testid=sessions-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const waitKeys = async (want: string[]) =>
      page
        .waitForFunction((k) => JSON.stringify([...document.querySelectorAll('[data-testid=sessions-table] tbody tr')].map((r) => r.getAttribute('data-key'))) === k, JSON.stringify(want))
        .catch(async (e: Error) => {
          throw new Error(`rows ${JSON.stringify(await keys())}, wanted ${JSON.stringify(want)}: ${e.message}`);
        });
    await page.goto(`${server.url}/#/sessions`);
    // Top-level sessions only (a subagent whose parent is not stored stays at the top level), latest first.
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);
    const toggle = page.locator('tr[data-key=hist-now] [data-testid=subagents-toggle]');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.match((await toggle.textContent()) ?? '', /2/);
    assert.equal(await page.locator('tr[data-key=hist-old] [data-testid=subagents-toggle]').count(), 0, 'no toggle without subagents');
    // Keyboard: the count is a button.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await waitKeys(['hist-orphan', 'hist-now', 'hist-now-sub1', 'hist-now-sub2', 'hist-old']);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('tr[data-key=hist-now-sub1]').getAttribute('data-parent'), 'hist-now');
    await screenshot(page, 'sessions-nested');
    await page.keyboard.press('Enter');
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);

    const choose = async (key: string, value: string) => page.locator(`select[data-filter=${key}]`).selectOption(value);
    await choose('agent_type', 'codex');
    await waitKeys(['hist-old']);
    await choose('agent_type', '');
    await choose('status', 'ended');
    await waitKeys(['hist-old']);
    await choose('status', '');
    await choose('project', '/work/alpha');
    await waitKeys(['hist-now']);
    await choose('project', '');
    await page.locator('input[data-filter=min_cost]').fill('5');
    await waitKeys(['hist-old']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);
    assert.deepEqual(w.problems, []);
  });

  it('sessions: filters, search and order are kept in the location hash (reload, a copied link, Back)', async () => {
    const keys = () => page.locator('[data-testid=sessions-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const waitKeys = async (want: string[]) =>
      page
        .waitForFunction((k) => JSON.stringify([...document.querySelectorAll('[data-testid=sessions-table] tbody tr')].map((r) => r.getAttribute('data-key'))) === k, JSON.stringify(want))
        .catch(async (e: Error) => {
          throw new Error(`rows ${JSON.stringify(await keys())}, wanted ${JSON.stringify(want)}: ${e.message}`);
        });
    await page.goto(`${server.url}/#/sessions`);
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);
    await page.locator('select[data-filter=project]').selectOption('/work/alpha');
    await waitKeys(['hist-now']);
    assert.equal(await page.evaluate(() => location.hash), '#/sessions?project=%2Fwork%2Falpha');
    await page.locator('select[data-filter=project]').selectOption('');
    await page.locator('input[data-filter=min_cost]').fill('0');
    await page.locator('th[data-sort=started_at] button').click();
    await page.waitForFunction(() => location.hash === '#/sessions?min_cost=0&sort=started_at&dir=desc');
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);
    await page.locator('[data-testid=session-search]').fill('alpha');
    await page.waitForFunction(() => location.hash === '#/sessions?q=alpha&min_cost=0&sort=started_at&dir=desc');

    // A reload (or the link opened elsewhere) shows the same list, its inputs filled in.
    await page.reload();
    await waitKeys(['hist-now-sub2', 'hist-now-sub1', 'hist-now']);
    assert.equal(await page.locator('[data-testid=session-search]').inputValue(), 'alpha');
    assert.equal(await page.locator('input[data-filter=min_cost]').inputValue(), '0');
    assert.equal(await page.locator('[aria-sort=descending]').getAttribute('data-sort'), 'started_at');

    // Back: the list before the search.
    await page.goBack();
    await page.waitForFunction(() => location.hash === '#/sessions?min_cost=0&sort=started_at&dir=desc');
    await waitKeys(['hist-orphan', 'hist-now', 'hist-old']);
    assert.equal(await page.locator('[data-testid=session-search]').inputValue(), '');
    // Values that are not valid are left out.
    await page.goto(`${server.url}/#/sessions?status=bogus&sort=nope&min_cost=-1&agent_type=codex`);
    await waitKeys(['hist-old']);
    assert.equal(await page.locator('select[data-filter=status]').inputValue(), '');
    assert.deepEqual(w.problems, []);
  });
});
