import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { CostBreakdown, SessionDetail, Stats, ToolStats, UsageMonitor } from '../../../src/core/contracts/api';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { startTestServer, type TestServer } from '../../helpers/server';
import { inOneUtcDay } from '../../helpers/period';
import { formatInt, formatPercent, formatUsd } from '../../../webview/lib/format';
import { buildWebview, launch, openPage, screenshot, type Watched } from './browser';

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

function seedEvents(now: number): EventInputRaw[] {
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  const a = { session_id: 'sess-alpha', agent_type: 'claude-code', project: '/work/proj-alpha', branch: 'main' };
  const b = { session_id: 'sess-beta', agent_type: 'codex', project: '/work/proj-beta', branch: 'feat/x' };
  return [
    { ...a, event_type: 'session_start', event_id: 'e-a-start', model: 'claude-sonnet-4-5', client_timestamp: at(120) },
    { ...a, event_type: 'user_prompt', event_id: 'e-a-prompt', client_timestamp: at(110), metadata: { prompt: XSS } },
    { ...a, event_type: 'llm_request', event_id: 'e-a-llm1', model: 'claude-sonnet-4-5', tokens_in: 1200, tokens_out: 800, cache_read_tokens: 50_000, cache_write_tokens: 4000, client_timestamp: at(100) },
    { ...a, event_type: 'tool_use', event_id: 'e-a-t1', tool_name: 'Bash', status: 'success', duration_ms: 1200, client_timestamp: at(90), metadata: { tool_input: { command: 'npm test' } } },
    { ...a, event_type: 'tool_use', event_id: 'e-a-t2', tool_name: 'Bash', status: 'error', duration_ms: 3400, client_timestamp: at(80), metadata: { tool_input: { command: 'npm run lint' }, error: 'exit 1' } },
    { ...a, event_type: 'tool_use', event_id: 'e-a-t3', tool_name: 'Read', status: 'success', duration_ms: 40, client_timestamp: at(70), metadata: { tool_input: { file_path: 'src/a.ts' } } },
    { ...a, event_type: 'tool_use', event_id: 'e-a-t4', tool_name: 'Grep', status: 'success', duration_ms: 25, client_timestamp: at(65), metadata: { agent_id: 'a5c44ff8e915', tool_input: { pattern: 'TODO' } } },
    { ...a, event_type: 'llm_request', event_id: 'e-a-llm2', model: 'claude-sonnet-4-5', tokens_in: 300, tokens_out: 1500, cache_read_tokens: 60_000, client_timestamp: at(60) },
    { ...a, event_type: 'response', event_id: 'e-a-answer', model: 'claude-sonnet-4-5', client_timestamp: at(55), metadata: { text: 'All tests pass now.' } },
    { ...b, event_type: 'session_start', event_id: 'e-b-start', model: 'gpt-5-codex', client_timestamp: at(100) },
    { ...b, event_type: 'llm_request', event_id: 'e-b-llm1', model: 'gpt-5-codex', tokens_in: 5000, tokens_out: 700, cache_read_tokens: 20_000, client_timestamp: at(50) },
    { ...b, event_type: 'llm_request', event_id: 'e-b-llm2', model: 'mystery-model-9', tokens_in: 1000, tokens_out: 100, client_timestamp: at(45) },
    { ...b, event_type: 'tool_use', event_id: 'e-b-t1', tool_name: 'shell', status: 'success', duration_ms: 2500, client_timestamp: at(40) },
    {
      ...b,
      event_type: 'rate_limit',
      event_id: 'e-b-rl',
      client_timestamp: at(39),
      metadata: { rate_limits: [{ window: 'primary', used_percent: 42.5, window_minutes: 300, resets_at: Math.floor(now / 1000) + 3600 }] },
    },
  ];
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

async function goto(page: Page, server: TestServer, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((h) => document.querySelector('main')?.getAttribute('data-view') === h.split('/')[1], hash);
}

describe('dashboard in chromium', async () => {
  // Set up in the suite body (not a before hook) so the server and browser live until the suite ends.
  buildWebview();
  const server: TestServer = await startTestServer();
  // The seeds are up to 2 minutes old and counted as today's.
  await inOneUtcDay(120_000);
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', seedEvents(Date.now()));
  const browser = await launch();
  const w: Watched = await openPage(browser);
  const page: Page = w.page;

  before(async () => {
    assert.ok(seeded.status === 200 || seeded.status === 201, JSON.stringify(seeded.body));
    assert.deepEqual(seeded.body.rejected, []);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=period-today]');
  });

  it('overview shows the API totals and a card for the running agent', async () => {
    const stats = (await server.get<Stats>('/api/stats?tz=UTC')).body;
    assert.equal(await text(page, '[data-testid=period-today] .metric-value'), formatUsd(stats.today.cost_usd));
    assert.equal(await text(page, '[data-testid=period-7d] .metric-value'), formatUsd(stats.last_7_days.cost_usd));
    assert.ok(stats.today.cost_usd > 0, 'seeded usage is priced');
    const detail = (await server.get<SessionDetail>('/api/sessions/sess-alpha')).body;
    const card = page.locator('[data-testid=agent-card][data-session=sess-alpha]');
    await card.waitFor();
    assert.equal(((await card.locator('[data-testid=agent-card-cost]').textContent()) ?? '').trim(), formatUsd(detail.session.cost_usd));
    assert.match((await card.textContent()) ?? '', /proj-alpha/);
    await screenshot(page, 'overview');
  });

  it('the feed shows stored events, and a posted event arrives over SSE', async () => {
    await goto(page, server, '#/feed');
    await page.waitForSelector('.vlist .vrow[aria-rowindex]');
    const rows = await page.locator('.vlist-spacer .vrow').count();
    assert.ok(rows >= 10, `expected the seeded rows, saw ${rows}`);
    const res = await server.post('/api/events', { session_id: 'sess-alpha', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'LiveProbeTool', status: 'success', event_id: 'e-live-1' });
    assert.ok(res.status < 300, `POST answered ${res.status}`);
    await page.locator('.vlist-spacer .vrow', { hasText: 'LiveProbeTool' }).waitFor({ timeout: 10_000 });
    // Newest first: the live event is the top row.
    assert.match((await page.locator('.vlist-spacer .vrow[aria-rowindex="1"]').textContent()) ?? '', /LiveProbeTool/);
    await screenshot(page, 'feed');
  });

  it('filters narrow the feed to what the API returns for the same filter', async () => {
    await page.locator('select[data-filter=agent_type]').selectOption('codex');
    const api = (await server.get<{ events: { agent_type: string }[] }>('/api/events?agent_type=codex&limit=1000')).body;
    await page.waitForFunction((n) => document.querySelectorAll('.vlist-spacer .vrow').length === n, api.events.length);
    const agents = await page.locator('.vlist-spacer .vrow .c-agent').allTextContents();
    assert.deepEqual([...new Set(agents)], ['Codex'], 'agents by name');
    // A live event of another agent does not enter the filtered feed; one of codex does.
    await server.post('/api/events', { session_id: 'sess-alpha', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'HiddenTool', event_id: 'e-live-2' });
    await server.post('/api/events', { session_id: 'sess-beta', agent_type: 'codex', event_type: 'tool_use', tool_name: 'ShownTool', event_id: 'e-live-3' });
    await page.locator('.vlist-spacer .vrow', { hasText: 'ShownTool' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.vlist-spacer .vrow', { hasText: 'HiddenTool' }).count(), 0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('.vlist-spacer .vrow', { hasText: 'HiddenTool' }).waitFor({ timeout: 10_000 });
  });

  it('keyboard: rows are selectable with arrows, Enter opens the detail, event text stays text', async () => {
    await page.locator('select[data-filter=event_type]').selectOption('user_prompt');
    await page.locator('.vlist-spacer .vrow', { hasText: 'user_prompt' }).first().waitFor();
    await page.locator('.vlist-scroll').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const meta = page.locator('[data-testid=event-metadata]');
    await meta.waitFor();
    assert.match((await meta.textContent()) ?? '', /<img src=x onerror=/);
    assert.equal(await page.locator('main img').count(), 0, 'no element was created from event content');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await screenshot(page, 'feed-detail');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('costs show the API numbers, unpriced usage, and draw the chart', async () => {
    await goto(page, server, '#/costs');
    const since = await page.evaluate(() => {
      const d = new Date();
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() - 29).toISOString();
    });
    const byDay = (await server.get<CostBreakdown>(`/api/stats/cost?by=day&stack=model&tz=UTC&since=${encodeURIComponent(since)}`)).body;
    const byModel = (await server.get<CostBreakdown>(`/api/stats/cost?by=model&tz=UTC&since=${encodeURIComponent(since)}`)).body;
    await page.waitForSelector('[data-testid=cost-by-model] tbody tr');
    assert.equal(await text(page, '[data-testid=costs-total] .metric-value'), formatUsd(byDay.totals.cost_usd));
    const sonnet = byModel.rows.find((r) => r.key === 'claude-sonnet-4-5')!;
    assert.ok(sonnet, JSON.stringify(byModel.rows));
    assert.equal(await text(page, '[data-testid=cost-by-model] tr[data-key="claude-sonnet-4-5"] [data-col=cost]'), formatUsd(sonnet.cost_usd));
    assert.match(await text(page, '[data-testid=cost-by-model] tr[data-key="mystery-model-9"]'), /unpriced/);
    const canvas = page.locator('.chart canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, 'the chart has a drawn canvas');
    await screenshot(page, 'costs');
  });

  it('tools show calls, failure rate and percentiles from the API', async () => {
    await goto(page, server, '#/tools');
    await page.waitForSelector('[data-testid=tools-table] tr[data-key=Bash]');
    const since = await page.evaluate(() => {
      const d = new Date();
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() - 6).toISOString();
    });
    const tools = (await server.get<ToolStats>(`/api/stats/tools?tz=UTC&bucket=hour&since=${encodeURIComponent(since)}`)).body;
    const bash = tools.tools.find((t) => t.tool_name === 'Bash')!;
    assert.equal(bash.calls, 2);
    assert.equal(await text(page, '[data-testid=tools-table] tr[data-key=Bash] [data-col=calls]'), formatInt(bash.calls));
    assert.equal(await text(page, '[data-testid=tools-table] tr[data-key=Bash] [data-col=error-rate]'), formatPercent(bash.error_rate));
    await screenshot(page, 'tools');
  });

  it('sessions list and the session page with its transcript and model costs', async () => {
    await goto(page, server, '#/sessions');
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key=sess-alpha]');
    await page.locator('[data-testid=session-search]').fill('proj-beta');
    await page.waitForFunction(() => !document.querySelector('[data-testid=sessions-table] tr[data-key=sess-alpha]'));
    assert.equal(await page.locator('[data-testid=sessions-table] tr[data-key=sess-beta]').count(), 1);
    await page.locator('[data-testid=session-search]').fill('');
    await page.locator('[data-testid=sessions-table] tr[data-key=sess-alpha] a').first().click();
    await page.waitForSelector('[data-testid=transcript-entry]');
    const detail = (await server.get<SessionDetail>('/api/sessions/sess-alpha')).body;
    assert.equal(await text(page, '[data-testid=session-cost] .metric-value'), formatUsd(detail.session.cost_usd));
    const sonnet = detail.models.find((m) => m.model === 'claude-sonnet-4-5')!;
    assert.equal(await text(page, '[data-testid=session-models] tr[data-key="claude-sonnet-4-5"] [data-col=cost]'), formatUsd(sonnet.cost_usd));
    const prompt = page.locator('[data-testid=transcript-entry][data-kind=prompt]');
    assert.match((await prompt.textContent()) ?? '', /<img src=x onerror=/);
    assert.equal(await page.locator('[data-testid=transcript-entry][data-kind=answer]', { hasText: 'All tests pass now.' }).count(), 1);
    assert.ok((await page.locator('[data-testid=transcript-entry][data-kind=tool]').count()) >= 4);
    const subagentCall = page.locator('[data-testid=transcript-entry][data-kind=tool]', { hasText: 'Grep' });
    assert.match((await subagentCall.locator('[data-testid=subagent-badge]').textContent()) ?? '', /^subagent a5c44ff8/, 'a subagent call in the session is marked');
    assert.equal(await page.locator('[data-testid=transcript-entry][data-kind=tool]', { hasText: 'Read' }).locator('[data-testid=subagent-badge]').count(), 0);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await screenshot(page, 'session');
  });

  it('usage monitor shows the current block and the codex rate limit', async () => {
    await goto(page, server, '#/usage');
    await page.waitForSelector('[data-testid=block-cost]');
    const um = (await server.get<UsageMonitor>('/api/stats/usage-monitor?tz=UTC')).body;
    assert.ok(um.current_block);
    assert.equal(await text(page, '[data-testid=block-cost] .metric-value'), formatUsd(um.current_block!.cost_usd));
    assert.equal(await text(page, '[data-testid=usage-today] .metric-value'), formatUsd(um.today_cost_usd));
    assert.match(await text(page, '[data-testid=rate-codex-primary]'), /42\.5% used/);
    await screenshot(page, 'usage');
    // Plans are per provider: OpenAI's block holds only the gpt-5-codex usage.
    await page.locator('[data-testid=block-provider]').selectOption('openai');
    const openai = (await server.get<UsageMonitor>('/api/stats/usage-monitor?tz=UTC&provider=openai')).body;
    assert.notEqual(openai.current_block!.cost_usd, um.current_block!.cost_usd);
    await page.waitForFunction((want) => document.querySelector('[data-testid=block-cost] .metric-value')?.textContent === want, formatUsd(openai.current_block!.cost_usd));
  });

  it('number keys switch views and the theme toggle switches the palette', async () => {
    await page.locator('main').focus();
    await page.keyboard.press('3');
    await page.waitForFunction(() => location.hash === '#/costs');
    assert.equal(await page.locator('nav a[aria-current=page]').getAttribute('data-view'), 'costs');
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    while ((await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') await page.locator('[data-testid=theme-toggle]').click();
    const dark = await bg();
    assert.notEqual(dark, light);
    assert.equal(dark, 'rgb(31, 31, 31)');
    await screenshot(page, 'costs-dark');
    await page.keyboard.press('1');
    await page.waitForFunction(() => location.hash === '#/overview');
    await screenshot(page, 'overview-dark');
  });

  it('saw no console errors and no CSP violations', () => {
    assert.deepEqual(w.problems, []);
  });
});
