/**
 * The dashboard's links in a browser: nav and session links are real `#/…` links (click, Enter,
 * middle-click into a new tab), and an element fragment (`#main`) is not taken for a page.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/server';
import { buildWebview, launch, openPage, type Watched } from './browser';

const SESSION = 'nav-session-1';

async function shows(page: Page, view: string): Promise<void> {
  await page.waitForSelector(`main[data-view="${view}"]`);
}

describe('dashboard links in chromium', async () => {
  buildWebview();
  const server: TestServer = await startTestServer();
  const at = new Date().toISOString();
  const s = { session_id: SESSION, agent_type: 'claude-code', project: '/work/nav-proj' };
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', [
    { ...s, event_type: 'session_start', event_id: 'nav-start', client_timestamp: at },
    { ...s, event_type: 'llm_request', event_id: 'nav-llm', model: 'claude-sonnet-4-5', tokens_in: 100, tokens_out: 20, client_timestamp: at },
  ]);
  const browser = await launch();
  const w: Watched = await openPage(browser);
  const page: Page = w.page;

  before(async () => {
    assert.deepEqual(seeded.body.rejected, []);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=period-today]');
  });

  it('nav links switch views by click and by Enter', async () => {
    await page.click('nav a[data-view=costs]');
    await shows(page, 'costs');
    assert.equal(new URL(page.url()).hash, '#/costs');
    await page.focus('nav a[data-view=tools]');
    await page.keyboard.press('Enter');
    await shows(page, 'tools');
    await page.goBack();
    await shows(page, 'costs');
  });

  it('session links open the session page; the breadcrumb goes back to the list', async () => {
    await page.click('nav a[data-view=sessions]');
    await shows(page, 'sessions');
    await page.click(`main a[href="#/sessions/${SESSION}"]`);
    await page.waitForSelector(`[data-testid=session-id]:has-text("${SESSION}")`);
    await page.click('main a[href="#/sessions"]');
    await page.waitForSelector(`main[data-view=sessions] a[href="#/sessions/${SESSION}"]`);
    await page.click('nav a[data-view=overview]');
    await page.click(`[data-testid=agent-card][data-session="${SESSION}"]`);
    await page.waitForSelector(`[data-testid=session-id]:has-text("${SESSION}")`);
  });

  it('a middle-clicked link opens its page in a new tab', async () => {
    const opened = page.context().waitForEvent('page');
    await page.click('nav a[data-view=usage]', { button: 'middle' });
    const tab = await opened;
    await tab.waitForSelector('main[data-view=usage]');
    assert.equal(new URL(tab.url()).hash, '#/usage');
    await tab.close();
  });

  it('an element fragment (the skip link) does not change the view', async () => {
    await page.click('nav a[data-view=feed]');
    await shows(page, 'feed');
    // The app's hashchange listener runs first (added at boot); a frame later its render is done.
    const view = await page.evaluate(
      () =>
        new Promise<string | undefined>((resolve) => {
          addEventListener('hashchange', () => requestAnimationFrame(() => resolve(document.querySelector('main')?.dataset.view)), { once: true });
          location.hash = '#main';
        }),
    );
    assert.equal(view, 'feed');
    await page.click('nav a[data-view=costs]');
    await shows(page, 'costs');
    assert.deepEqual(w.problems, []);
  });
});
