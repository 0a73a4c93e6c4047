import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { CostBreakdown, ToolStats } from '../../../src/core/contracts/api';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { browserSince } from '../../helpers/period';
import { startTestServer, type TestServer } from '../../helpers/server';
import { formatInt, formatUsd } from '../../../webview/lib/format';
import { buildWebview, launch, openPage, type Watched } from './browser';

function seed(now: number): EventInputRaw[] {
  const s = { session_id: 'warm-1', agent_type: 'claude-code', project: '/work/warm' };
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  return [
    { ...s, event_type: 'llm_request', event_id: 'w-llm', model: 'claude-sonnet-4-5', tokens_in: 1000, tokens_out: 500, client_timestamp: at(60) },
    { ...s, event_type: 'tool_use', event_id: 'w-t1', tool_name: 'Bash', status: 'success', duration_ms: 100, client_timestamp: at(50) },
    { ...s, event_type: 'tool_use', event_id: 'w-t2', tool_name: 'Bash', status: 'success', duration_ms: 200, client_timestamp: at(40) },
  ];
}

/** Switch to `view`: does the render that makes it the view (one commit) wait for its data (`selector`)? */
function switchShowsData(page: Page, view: string, selector: string): Promise<{ loading: boolean }> {
  return page.evaluate(
    ({ view, selector }) =>
      new Promise<{ loading: boolean }>((resolve) => {
        const main = document.querySelector('main')!;
        const mo = new MutationObserver(() => {
          if (main.dataset.view !== view) return;
          mo.disconnect();
          resolve({ loading: !!main.querySelector('[aria-busy=true]') || !main.querySelector(selector) });
        });
        mo.observe(main, { attributes: true, attributeFilter: ['data-view'] });
        location.hash = `#/${view}`;
      }),
    { view, selector },
  );
}

describe('views warmed while the dashboard is idle', async () => {
  buildWebview();
  const server: TestServer = await startTestServer();
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', seed(Date.now()));
  const browser = await launch();
  const w: Watched = await openPage(browser);
  const page: Page = w.page;
  const asked: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/stats/') || u.pathname === '/api/sessions') asked.push(`${u.pathname}?${u.searchParams.get('by') ?? u.searchParams.get('status') ?? ''}`);
  });
  const count = (prefix: string) => asked.filter((a) => a.startsWith(prefix)).length;
  /** The Sessions view's own list requests (nested subagents: the view's first page). */
  let listAsked = 0;
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/sessions' && u.searchParams.get('nest') === 'true') listAsked++;
  });

  before(async () => {
    assert.deepEqual(seeded.body.rejected, []);
    // Every element a warmed view would add, if it were ever attached to the document.
    await page.addInitScript(() => {
      const w = window as unknown as { __attached: string[] };
      w.__attached = [];
      new MutationObserver(() => {
        for (const sel of ['.view-costs', '.view-tools', '.view-usage', '[data-testid=sessions-table]']) if (document.querySelector(sel)) w.__attached.push(sel);
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}/#/overview`);
    await page.waitForSelector('[data-testid=period-today] .metric-value');
  });

  it('asks each view its questions while the overview is shown, without adding anything to the page', async () => {
    // Costs (four breakdowns), then Tools, the Sessions list and the usage monitor, one after another.
    const deadline = Date.now() + 15_000;
    while (count('/api/stats/usage-monitor') === 0 && Date.now() < deadline) await page.waitForTimeout(50);
    assert.equal(count('/api/stats/cost'), 4, asked.join('\n'));
    assert.equal(count('/api/stats/tools'), 1, asked.join('\n'));
    assert.ok(asked.includes('/api/sessions?'), asked.join('\n'));
    assert.equal(count('/api/stats/usage-monitor'), 1);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __attached: string[] }).__attached), []);
    assert.equal(await page.locator('main').getAttribute('data-view'), 'overview');
  });

  it('the first switch shows those answers at once: no loading state, no new request, the API numbers', async () => {
    const before = count('/api/stats/cost');
    const seen = await switchShowsData(page, 'costs', '[data-testid=costs-total]');
    assert.deepEqual(seen, { loading: false });
    const byDay = (await server.get<CostBreakdown>(`/api/stats/cost?by=day&stack=model&tz=UTC&since=${encodeURIComponent(browserSince(30))}`)).body;
    assert.ok(byDay.totals.cost_usd > 0);
    assert.equal((await page.locator('[data-testid=costs-total] .metric-value').textContent())?.trim(), formatUsd(byDay.totals.cost_usd));
    await page.locator('.view-costs .chart canvas').waitFor();
    assert.equal(count('/api/stats/cost'), before, 'answered from the warmed answers');
  });

  it('after a write the kept answers are not shown: the switch asks again and shows the new numbers first', async () => {
    const before = count('/api/stats/tools');
    const topbar = await page.locator('.topbar-right .muted').textContent();
    const s = { session_id: 'warm-1', agent_type: 'claude-code', project: '/work/warm' };
    const r = await server.post<{ rejected: unknown[] }>('/api/events/batch', [
      { ...s, event_type: 'tool_use', event_id: 'w-t3', tool_name: 'Bash', status: 'success', duration_ms: 300 },
      { ...s, event_type: 'llm_request', event_id: 'w-llm2', model: 'claude-sonnet-4-5', tokens_in: 2000, tokens_out: 100 },
    ]);
    assert.deepEqual(r.body.rejected, []);
    // The write has reached the page (its event and the stats after it).
    await page.waitForFunction((t) => document.querySelector('.topbar-right .muted')?.textContent !== t, topbar);
    const tools = (await server.get<ToolStats>(`/api/stats/tools?tz=UTC&bucket=hour&since=${encodeURIComponent(browserSince(7))}`)).body;
    const bash = tools.tools.find((t) => t.tool_name === 'Bash')!;
    assert.equal(bash.calls, 3);
    // The first number the Tools view ever shows for Bash.
    const first = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const mo = new MutationObserver(() => {
            const c = document.querySelector('[data-testid=tools-table] tr[data-key=Bash] [data-col=calls]');
            if (c?.textContent) {
              mo.disconnect();
              resolve(c.textContent.trim());
            }
          });
          mo.observe(document, { childList: true, subtree: true, characterData: true });
          location.hash = '#/tools';
        }),
    );
    assert.equal(first, formatInt(bash.calls), 'never the warmed answer from before the write');
    assert.equal(count('/api/stats/tools'), before + 1);
  });

  it('the Sessions list asks once when it opens, and again opened shows its kept answer at once', async () => {
    const topbar = await page.locator('.topbar-right .muted').textContent();
    const s = { session_id: 'warm-2', agent_type: 'codex', project: '/work/warm' };
    const r = await server.post<{ rejected: unknown[] }>('/api/events/batch', [{ ...s, event_type: 'llm_request', event_id: 'w-llm3', model: 'gpt-5', tokens_in: 10, tokens_out: 10 }]);
    assert.deepEqual(r.body.rejected, []);
    await page.waitForFunction((t) => document.querySelector('.topbar-right .muted')?.textContent !== t, topbar);
    const before = listAsked;
    await page.evaluate(() => (location.hash = '#/sessions'));
    await page.locator('[data-testid=sessions-table] tr[data-key=warm-2]').waitFor();
    assert.equal(listAsked, before + 1, 'one request for the first page (the view asked twice when it mounted)');
    await page.evaluate(() => (location.hash = '#/overview'));
    await page.locator('main[data-view=overview]').waitFor();
    const seen = await switchShowsData(page, 'sessions', '[data-testid=sessions-table] tr[data-key=warm-2]');
    assert.deepEqual(seen, { loading: false }, 'the kept first page, drawn in the same render as the switch');
    assert.equal(listAsked, before + 1, 'nothing asked again while nothing was written');
  });

  it('saw no console errors', () => {
    assert.deepEqual(w.problems, []);
  });
});
