/**
 * The Sessions table, the live feed and the session page at 1024 px (issues 19 and 22): columns that
 * fit, sortable headers, distinct session labels, empty-search hints that stay in their box, one h1
 * per view, the skip link, the not-found state, and the stale banner while the server is down.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { SessionsPage } from '../../../src/core/contracts/api';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { startTestServer, type TestServer } from '../../helpers/server';
import { buildWebview, launch, openPage, screenshot } from './browser';

const MIN = 60_000;
const SESSIONS = 56;

function seed(now: number): EventInputRaw[] {
  const at = (ago: number) => new Date(now - ago).toISOString();
  const out: EventInputRaw[] = [];
  // Sessions that share a long id prefix and differ at the end, as subagents and demo runs do; one
  // in three a subagent with a longer id, one in four with tokens of a model without a price.
  for (let i = 0; i < SESSIONS; i++) {
    const sub = i % 3 === 2;
    const s = {
      session_id: sub ? `tb-run-7f3a-live-${i - 1}-sub8588${10 + i}` : `tb-run-7f3a-live-${i}`,
      agent_type: i % 2 ? 'claude-code' : 'codex',
      project: `/home/dev/src/project-number-${i % 5}`,
      branch: 'feature/issue-22-rough-edges',
      ...(sub ? { metadata: { parent_session_id: `tb-run-7f3a-live-${i - 1}` } } : {}),
    };
    // Started the day before (whatever the hour), so the feed always holds rows of another day, which show their date.
    out.push({ ...s, event_type: 'session_start', client_timestamp: at(26 * 60 * MIN + i * 1000) });
    // Costs all different (in a shuffled order), so an order by cost is one order.
    out.push({ ...s, event_type: 'llm_request', model: 'claude-sonnet-4-5-20250929', tokens_in: 100, tokens_out: 10, cost_usd: ((i * 37) % SESSIONS) + 0.5, client_timestamp: at(MIN + i * 1000) });
    if (i % 4 === 0) out.push({ ...s, event_type: 'llm_request', model: 'my-local-model-70b-instruct', tokens_in: 123_456, tokens_out: 10, client_timestamp: at(MIN + i * 1000 - 500) });
  }
  return out;
}

async function boxes(l: Locator) {
  const b = await l.boundingBox();
  assert.ok(b, 'element is rendered');
  return b;
}

/** The element's text does not overflow its box (nothing is cut with …). */
async function fits(l: Locator): Promise<boolean> {
  return l.evaluate((e) => e.scrollWidth <= e.clientWidth);
}

/** The last character of the element's text is drawn inside the element's box (a cut id keeps its end). */
async function endVisible(l: Locator): Promise<boolean> {
  return l.evaluate((e) => {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    let last: Text | null = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent) last = n as Text;
    if (!last) return false;
    const r = document.createRange();
    r.setStart(last, last.length - 1);
    r.setEnd(last, last.length);
    const c = r.getBoundingClientRect();
    const box = e.getBoundingClientRect();
    return c.left >= box.left - 0.5 && c.right <= box.right + 0.5;
  });
}

async function goto(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((h) => document.querySelector('main')?.getAttribute('data-view') === h.split('/')[1], hash);
}

describe('sessions, feed and session page at 1024 px', async () => {
  buildWebview();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-sessfeed-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let server: TestServer = await startTestServer({}, { dir });
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', seed(Date.now()));
  assert.deepEqual(seeded.body.rejected, []);
  const browser = await launch();
  const w = await openPage(browser);
  const page = w.page;
  await page.setViewportSize({ width: 1024, height: 800 });

  it('the first Tab reaches the skip link', async () => {
    await page.goto(`${server.url}/#/sessions`);
    await page.waitForSelector('[data-testid=sessions-table] tbody tr');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  });

  it('sessions: every column fits at 1024 px, Started is the start and Last activity the last event', async () => {
    await page.goto(`${server.url}/#/sessions`);
    await page.waitForSelector('[data-testid=sessions-table] tbody tr');
    const table = page.locator('[data-testid=sessions-table]');
    const main = await boxes(page.locator('main'));
    const cost = await boxes(table.locator('thead th').last());
    assert.ok(cost.x + cost.width <= main.x + main.width, `Cost header ends at ${cost.x + cost.width}, main at ${main.x + main.width}`);
    assert.ok(await page.locator('main').evaluate((m) => m.scrollWidth <= m.clientWidth), 'no horizontal scroll');
    const headers = (await table.locator('th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim());
    assert.deepEqual(headers, ['Session', 'Agent', 'Project', 'Model', 'Status', 'Started', 'Last activity', 'Duration', 'Events', 'Tokens', 'Cost']);
    const api = (await server.get<SessionsPage>('/api/sessions?limit=1')).body.sessions[0];
    const row = table.locator(`tr[data-key="${api.session_id}"]`);
    assert.equal(await row.locator('[data-col=started]').getAttribute('title'), api.started_at);
    assert.doesNotMatch((await row.locator('[data-col=started]').textContent()) ?? '', /ago/);
    assert.match((await row.locator('[data-col=last-activity]').textContent()) ?? '', /^(\dm ago|just now|\d+s ago)$/);
    // Ids are whole in the page (and the title); only CSS shortens them when the column is narrow.
    assert.equal(await row.locator('[data-col=session] a').textContent(), api.session_id);
    assert.ok(await fits(row.locator('td').nth(1)), 'the agent name is whole');
    const plain = table.locator('tr[data-key="tb-run-7f3a-live-3"] [data-col=session] a');
    assert.ok(await fits(plain), 'an id is shortened only when it must be');
    // A subagent's longer id is cut at its start: its distinct end stays in view (under its parent, expanded).
    await table.locator('tr[data-key="tb-run-7f3a-live-4"] [data-testid=subagents-toggle]').click();
    const sub = table.locator('tr[data-key="tb-run-7f3a-live-4-sub858815"] [data-col=session] a');
    await sub.waitFor();
    assert.equal(await fits(sub), false, 'the subagent id is longer than its column at 1024 px');
    assert.ok(await endVisible(sub), 'the end of a cut id is visible');
    assert.equal(await row.locator('[data-col=project]').evaluate((e) => e.firstChild?.textContent), api.project!.split('/').pop());
    await screenshot(page, 'sessions-1024');
  });

  it('sessions: headers sort by click and keyboard, in the API order, across pages', async () => {
    const table = page.locator('[data-testid=sessions-table]');
    assert.equal(await table.locator('th[data-sort=last_event_at]').getAttribute('aria-sort'), 'descending');
    // A search lists subagents too (not nested): every session, more than a page.
    await page.locator('[data-testid=session-search]').fill('tb-run-7f3a');
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key="tb-run-7f3a-live-4-sub858815"]:not(.sub-row)');
    await table.locator('th[data-sort=cost_usd] button').click();
    await page.waitForSelector('th[data-sort=cost_usd][aria-sort=descending]');
    const byCost = (await server.get<SessionsPage>(`/api/sessions?q=tb-run-7f3a&sort=cost_usd&dir=desc&limit=${SESSIONS}`)).body.sessions.map((s) => s.session_id);
    await page.waitForFunction((first) => document.querySelector('[data-testid=sessions-table] tbody tr')?.getAttribute('data-key') === first, byCost[0]);
    assert.equal(await table.locator('th[aria-sort]').count(), 1);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=sessions-table] tbody tr').length === n, SESSIONS);
    assert.deepEqual(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))), byCost);
    // Keyboard: the header is a button; Enter reverses the order.
    await table.locator('th[data-sort=cost_usd] button').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('th[data-sort=cost_usd][aria-sort=ascending]');
    await page.waitForFunction((first) => document.querySelector('[data-testid=sessions-table] tbody tr')?.getAttribute('data-key') === first, byCost[byCost.length - 1]);
  });

  it('empty sessions search: a long hint wraps inside its section', async () => {
    await page.locator('[data-testid=session-search]').fill(`no-such-session-${'x'.repeat(300)}`);
    const note = page.locator('[data-testid=sessions-empty]');
    await note.waitFor();
    const section = await boxes(page.locator('section.section'));
    const b = await boxes(note);
    assert.ok(b.x + b.width <= section.x + section.width, `hint ends at ${b.x + b.width}, its section at ${section.x + section.width}`);
    assert.ok(await fits(note));
    await page.locator('[data-testid=session-search]').fill('');
  });

  it('feed: project names, distinct session labels, and columns that fit with the detail open', async () => {
    await goto(page, '#/feed');
    await page.waitForSelector('.vlist-spacer .vrow[aria-rowindex]');
    const rows = page.locator('.vlist-spacer .vrow');
    const first = rows.first();
    assert.match((await first.locator('.c-project').textContent()) ?? '', /^project-number-\d$/);
    assert.ok(await fits(first.locator('.c-project')), 'project is not cut');
    const pairs = await rows.evaluateAll((rs) => rs.slice(0, 20).map((r) => [r.querySelector('.c-session')!.getAttribute('title'), r.querySelector('.c-session')!.textContent]));
    const labelOf = new Map(pairs.map(([id, label]) => [id, label]));
    assert.ok(labelOf.size > 5, 'rows of several sessions');
    // "…live-7" for tb-run-7f3a-live-7, "…sub858815" for tb-run-7f3a-live-4-sub858815.
    for (const [id, label] of labelOf) assert.equal(label, `…${/-sub\d+$/.test(id!) ? '' : 'live-'}${id!.split('-').pop()}`);
    for (const c of ['.c-agent', '.c-project', '.c-session', '.c-time']) assert.ok(await fits(first.locator(c)), `${c} fits`);
    await first.click();
    await page.waitForSelector('[data-testid=event-detail]');
    const list = await boxes(page.locator('.vlist'));
    for (const c of ['.c-time', '.c-agent', '.c-type', '.c-project', '.c-cost', '.c-session']) {
      const cell = first.locator(c);
      assert.ok(await fits(cell), `${c} fits with the detail open: "${await cell.textContent()}"`);
      const b = await boxes(cell);
      assert.ok(b.x + b.width <= list.x + list.width, `${c} inside the list`);
    }
    // Every row, not only the first: a subagent's label is longer.
    for (const c of ['.c-project', '.c-session']) {
      const cut = await rows.locator(c).evaluateAll((cells) => cells.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
      assert.deepEqual(cut, [], `${c} cells cut with the detail open`);
    }
    await screenshot(page, 'feed-detail-1024');
    await page.keyboard.press('Escape');
  });

  it('one h1 in every view', async () => {
    for (const view of ['overview', 'feed', 'costs', 'tools', 'sessions', 'usage']) {
      await goto(page, `#/${view}`);
      assert.equal(await page.locator('h1').count(), 1, `${view} has one h1`);
    }
    await goto(page, '#/sessions/tb-run-7f3a-live-3');
    await page.waitForSelector('[data-testid=session-cost]');
    assert.deepEqual(await page.locator('h1').allTextContents(), ['Claude Code · /home/dev/src/project-number-3']);
  });

  it('ids are whole where there is room: a session page\'s subagents and parent, Costs by session', async () => {
    const child = 'tb-run-7f3a-live-4-sub858815';
    await goto(page, '#/sessions/tb-run-7f3a-live-4');
    const link = page.locator(`section[aria-labelledby=session-children-h] a[href="#/sessions/${child}"]`);
    await link.waitFor();
    assert.equal(await link.textContent(), child, 'not the prefix every subagent of this session shares');
    await link.click();
    await page.waitForSelector(`[data-testid=session-id]:has-text("${child}")`);
    assert.match((await page.locator('[data-testid=session-id]').textContent()) ?? '', /subagent of tb-run-7f3a-live-4$/);
    await goto(page, '#/costs');
    const cell = page.locator(`[data-testid=cost-by-session] a[href="#/sessions/${child}"]`);
    await cell.waitFor();
    assert.equal(await cell.textContent(), child);
    assert.ok(await fits(cell));
  });

  it('a session that does not exist: one clear not-found state', async () => {
    await goto(page, '#/sessions/no-such-session');
    await page.waitForSelector('[data-testid=session-not-found]');
    assert.deepEqual(await page.locator('h1').allTextContents(), ['Session not found']);
    assert.equal(await page.locator('main .error-note').count(), 0, 'no error notes');
    assert.equal(await page.locator('main h2').count(), 0, 'no section heading without its content');
    assert.match((await page.locator('[data-testid=session-not-found]').textContent()) ?? '', /no-such-session/);
    await screenshot(page, 'session-not-found');
  });

  it('server down: a stale banner over the last numbers, gone when it reconnects', async () => {
    await goto(page, '#/sessions');
    await page.waitForSelector('[data-testid=sessions-table] tbody tr');
    await page.waitForSelector('[data-testid=connection].conn-connected');
    assert.equal(await page.locator('[data-testid=stale-banner]').count(), 0);
    const port = Number(new URL(server.url).port);
    await server.close();
    const banner = page.locator('[role=status] [data-testid=stale-banner]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match((await banner.textContent()) ?? '', /as of \d\d:\d\d:\d\d/);
    assert.ok((await page.locator('[data-testid=sessions-table] tbody tr').count()) > 0, 'the old numbers stay');
    await screenshot(page, 'stale-banner');
    server = await startTestServer({ port }, { dir });
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForSelector('[data-testid=connection].conn-connected');
  });

  it('saw no console errors but the answers of the missing session and the stopped server', () => {
    const expected = /404 \(Not Found\)|ERR_CONNECTION_REFUSED|net::ERR|Failed to load resource/;
    assert.deepEqual(w.problems.filter((p) => !expected.test(p)), []);
  });
});
