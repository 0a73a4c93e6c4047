/**
 * Issue 18 in real Chromium against a real server: rate-limit readings whose window has passed are
 * drawn stale (greyed, "as of" their time, no warning), fresh ones warn at 80% and 95%.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { startTestServer } from '../../helpers/server';
import { buildWebview, launch, openPage, screenshot } from './browser';

const DAY = 86_400_000;

describe('usage: rate limits in chromium', async () => {
  buildWebview();
  const server = await startTestServer();
  const browser = await launch();

  it('draws a reading older than its window as stale, never as an alarm; fresh ones warn at 80% and 95%', async () => {
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    const rl = (id: string, agent: string, at: number, limits: Record<string, unknown>[]): EventInputRaw => ({
      session_id: `s-${agent}`,
      agent_type: agent,
      event_type: 'rate_limit',
      event_id: id,
      client_timestamp: iso(at),
      metadata: { rate_limits: limits },
    });
    const posted = await server.post<{ rejected: unknown[] }>('/api/events/batch', [
      // Thirteen months old, its window reset long ago.
      rl('rl-old', 'codex', 395 * DAY, [{ window: 'secondary', used_percent: 97, window_minutes: 10080, resets_at: Math.floor((now - 390 * DAY) / 1000) }]),
      rl('rl-fresh', 'codex', 60_000, [{ window: 'primary', used_percent: 85, window_minutes: 300, resets_at: Math.floor(now / 1000) + 3600 }]),
      // No reset time: stale once older than its window (five hours).
      rl('rl-claude', 'claude-code', 60_000, [{ window: 'five_hour', used_percent: 96, window_minutes: 300 }]),
      rl('rl-claude-old', 'claude-code', 6 * 3_600_000, [{ window: 'seven_day', used_percent: 99, window_minutes: 300 }]),
    ]);
    assert.deepEqual(posted.body.rejected, []);

    const w = await openPage(browser);
    await w.page.goto(`${server.url}/#/usage`);
    const row = (agent: string, window: string) => w.page.locator(`[data-testid="rate-${agent}-${window}"]`);
    await row('codex', 'secondary').waitFor();
    const levels = await w.page.locator('section[aria-labelledby=rate-limits-h] [data-level]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid'), e.getAttribute('data-level')]));
    assert.deepEqual(levels, [
      ['rate-claude-code-five_hour', 'critical'],
      ['rate-claude-code-seven_day', 'stale'],
      ['rate-codex-primary', 'warning'],
      ['rate-codex-secondary', 'stale'],
    ]);

    const old = row('codex', 'secondary');
    assert.equal(await old.locator('.badge').textContent(), 'stale', 'says so in text, not colour only');
    assert.match((await old.locator('.meter-text').textContent()) ?? '', /^97\.0% used as of .*\d{4}.* · window reset .*, no newer reading$/);
    assert.ok(await old.evaluate((e) => e.classList.contains('meter-stale')));
    // Greyed and without warning bands: the meter's value sits in its optimum range.
    assert.deepEqual(await old.locator('meter').evaluate((m: HTMLMeterElement) => [m.low, m.high, getComputedStyle(m).filter]), [100, 100, 'grayscale(1)']);
    assert.match((await row('claude-code', 'seven_day').locator('.meter-text').textContent()) ?? '', /99\.0% used as of .* · its window has passed/);

    assert.equal(await row('codex', 'primary').locator('.badge').textContent(), 'over 80%');
    assert.match((await row('codex', 'primary').locator('.meter-text').textContent()) ?? '', /^85\.0% used · resets /);
    assert.equal(await row('claude-code', 'five_hour').locator('.badge').textContent(), 'over 95%');
    assert.deepEqual(await row('claude-code', 'five_hour').locator('meter').evaluate((m: HTMLMeterElement) => [m.low, m.high]), [80, 95]);
    await screenshot(w.page, 'usage-rate-limits-stale');
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });
});

describe('daily budget beyond the Usage view in chromium', async () => {
  buildWebview();
  const server = await startTestServer({ dailyBudgetUsd: 1 });
  const browser = await launch();
  const usage = (id: string, cost: number): EventInputRaw => ({
    session_id: 's-budget',
    agent_type: 'claude-code',
    event_type: 'llm_request',
    event_id: id,
    model: 'claude-sonnet-4-5',
    tokens_in: 100,
    tokens_out: 10,
    cost_usd: cost,
    client_timestamp: new Date().toISOString(),
  });

  it('over the daily budget, the header and the overview say so; under it, neither does', async () => {
    assert.equal((await server.post('/api/events', usage('b-1', 0.5))).status, 201);
    const w = await openPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'live');
    await w.page.waitForSelector('[data-testid=period-today]');
    // The budget comes with the usage monitor's answer (the Usage view, warmed while the page is
    // idle); under it the header shows today's cost of the budget.
    await w.page.waitForFunction(() => document.querySelector('[data-testid=header-today]')?.textContent === 'today $0.5000 of $1.00');
    assert.equal(await w.page.locator('[data-testid=header-over-budget], [data-testid=overview-over-budget]').count(), 0);

    // Today's cost passes the budget while the page is open: both say so, in text.
    assert.equal((await server.post('/api/events', usage('b-2', 0.75))).status, 201);
    const header = w.page.locator('[data-testid=header-over-budget]');
    await header.waitFor();
    assert.equal(((await header.textContent()) ?? '').trim(), '⚠ over budget: $1.25 of $1.00');
    assert.equal(await header.getAttribute('href'), '#/usage');
    assert.equal(await w.page.locator('[data-testid=header-today]').count(), 0);
    const banner = w.page.locator('[data-testid=overview-over-budget]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Over budget: today's cost is \$1\.25 of your \$1\.00 daily budget \(\$0\.2500 over\)\. See Usage/);
    await screenshot(w.page, 'overview-over-budget');

    // On another view the header still says so.
    await w.page.evaluate(() => (location.hash = '#/usage'));
    await w.page.waitForSelector('[data-testid=budget-meter]');
    assert.equal(((await header.textContent()) ?? '').trim(), '⚠ over budget: $1.25 of $1.00');
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });
});
