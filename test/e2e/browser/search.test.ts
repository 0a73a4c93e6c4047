/**
 * Search across sessions in Chromium (issue 17), on a real server holding the real Claude Code and
 * Codex captures, imported: a word of an assistant reply finds its session, and its hit opens the
 * session's page at that reply, marked and in view; a hit far down a long session loads the
 * transcript's pages until it is there; snippets are text, never markup.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { SessionDetail } from '../../../src/core/contracts/api';
import type { EventInputRaw } from '../../../src/core/contracts/events';
import { formatTokens, formatUsd } from '../../../webview/lib/format';
import { CAPTURED_CLAUDE_SESSION, CAPTURED_CODEX_SESSION, serverWithCaptures } from '../../helpers/capturedImport';
import { buildWebview, launch, openPage, screenshot } from './browser';

const CLAUDE_SESSION = CAPTURED_CLAUDE_SESSION;
const CODEX_SESSION = CAPTURED_CODEX_SESSION;
const LONG_SESSION = 'long-session-with-a-needle';
const XSS = '<img src=x onerror="window.__xss=1">zanzibar<script>window.__xss=2</script>';

/** 400 prompts in one session (the transcript shows 300 a page); the 380th holds the word. */
function longSession(): EventInputRaw[] {
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
  return Array.from({ length: 400 }, (_, i) => ({
    session_id: LONG_SESSION,
    agent_type: 'claude-code',
    project: '/home/dev/long',
    event_type: 'user_prompt',
    event_id: `long-${i}`,
    client_timestamp: new Date(t0 + i * 1000).toISOString(),
    metadata: { prompt: i === 379 ? 'find the needle in this haystack' : `prompt number ${i}` },
  }));
}

async function search(page: Page, words: string): Promise<void> {
  const input = page.locator('[data-testid=search-input]');
  await input.fill(words);
  await input.press('Enter');
  await page.waitForFunction((q) => {
    const region = document.querySelector('[data-testid=search-results]');
    return !!region && region.getAttribute('aria-label') === `Search results for ${q}` && !/Searching/.test(region.textContent ?? '');
  }, words);
}

/** The marked transcript entry once it is there, and whether it lies inside the viewport. */
async function markedEntry(page: Page): Promise<{ text: string; inView: boolean }> {
  const entry = page.locator('[data-testid=transcript-entry][aria-current=true]');
  await entry.waitFor();
  return entry.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { text: el.textContent ?? '', inView: r.top >= 0 && r.bottom <= window.innerHeight };
  });
}

describe('search in the dashboard (chromium)', async () => {
  buildWebview();
  const server = await serverWithCaptures();
  const seeded = await server.post<{ rejected: unknown[] }>('/api/events/batch', [
    ...longSession(),
    { session_id: 'xss-session', agent_type: 'codex', event_type: 'user_prompt', event_id: 'xss-1', metadata: { prompt: XSS } },
  ]);
  assert.deepEqual(seeded.body.rejected, []);
  const browser = await launch();
  const w = await openPage(browser);
  const page = w.page;
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=search-input]');

  it('a word of a Claude subagent reply finds its session; the hit opens the session at that reply', async () => {
    // "/" on a page without a filter of its own goes to the search box.
    await page.locator('main').focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'search-input');
    await search(page, 'dozen');
    const hits = page.locator('[data-testid=search-hit]');
    assert.equal(await hits.count(), 1);
    assert.equal(await hits.first().getAttribute('data-session'), CLAUDE_SESSION);
    assert.match((await hits.first().textContent()) ?? '', /Answer.*README\.md has a few dozen bytes\./);
    await screenshot(page, 'search-results');
    await hits.first().click();
    await page.waitForFunction((id) => location.hash.startsWith(`#/sessions/${id}?event=`), CLAUDE_SESSION);
    assert.equal(await page.locator('[data-testid=search-results]').count(), 0, 'the list closes');
    assert.match((await page.locator('[data-testid=session-id]').textContent()) ?? '', new RegExp(CLAUDE_SESSION));
    const marked = await markedEntry(page);
    assert.match(marked.text, /Answer.*README\.md has a few dozen bytes\./);
    assert.ok(marked.inView, 'the reply is scrolled into view');
    // The subagent's reply is one of its turns, nested under the Agent call, opened for the hit.
    const call = page.locator('[data-testid=transcript-entry][data-kind=tool]', { has: page.locator('[data-testid=subagent-turns]') });
    assert.equal(await call.count(), 1);
    assert.match((await call.locator('.tx-head').first().textContent()) ?? '', /^Tool\s*Agent/);
    const turns = call.locator('[data-testid=subagent-turns]');
    assert.equal(await turns.evaluate((d) => (d as HTMLDetailsElement).open), true);
    assert.equal(await turns.locator('[data-testid=transcript-entry][aria-current=true]').count(), 1);
    await screenshot(page, 'search-hit-claude');
  });

  it("a subagent's turns are folded under the Agent call that ran them: its start, its tool call with output, its reply", async () => {
    await page.goto(`${server.url}/#/sessions/${CLAUDE_SESSION}`);
    const turns = page.locator('[data-testid=subagent-turns]');
    await turns.waitFor();
    assert.equal(await turns.evaluate((d) => (d as HTMLDetailsElement).open), false, 'folded');
    assert.match((await turns.locator(':scope > summary').textContent()) ?? '', /^Subagent a5c44ff8e9…?: 6 entries, 2 model calls$/);
    await turns.locator(':scope > summary').click();
    const inner = turns.locator('[data-testid=transcript-entry]');
    const kinds = await inner.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    assert.equal(kinds[0], 'subagent');
    assert.ok(kinds.includes('tool') && kinds.includes('answer'), kinds.join());
    assert.equal(await inner.locator('[data-testid=tool-output]').first().locator('summary').textContent().then((t) => /64 README\.md/.test(t ?? '')), true);
    // Nothing of the subagent is left at the top level.
    const topLevelBadges = await page.evaluate(() => [...document.querySelectorAll('[data-testid=transcript] > [data-testid=transcript-entry] > .tx-head [data-testid=subagent-badge]')].length);
    assert.equal(topLevelBadges, 0, 'no entry of the subagent is left at the top level');
    await screenshot(page, 'transcript-subagent-nested');
  });

  it("the session's prompt shows its turn's model calls, tokens and cost: here the whole session's", async () => {
    const d = (await server.get<SessionDetail>(`/api/sessions/${CLAUDE_SESSION}`)).body;
    const calls = d.models.reduce((n, m) => n + m.requests, 0);
    const turn = page.locator('[data-testid=transcript-entry][data-kind=prompt] [data-testid=turn-total]');
    await turn.waitFor();
    assert.equal(
      (await turn.textContent())?.trim(),
      `turn: ${calls} model calls · ${formatTokens(d.session.tokens_in + d.session.tokens_out)} tokens · ${formatUsd(d.session.cost_usd)}`,
    );
  });

  it('a word of both final replies lists both sessions; the Codex hit shows the Codex reply', async () => {
    await search(page, 'contains');
    const hits = page.locator('[data-testid=search-hit]');
    const sessions = await hits.evaluateAll((els) => els.map((e) => e.getAttribute('data-session')));
    assert.deepEqual([...sessions].sort(), [CLAUDE_SESSION, CODEX_SESSION].sort());
    await page.locator(`[data-testid=search-hit][data-session="${CODEX_SESSION}"]`).click();
    await page.waitForFunction((id) => location.hash.startsWith(`#/sessions/${id}?event=`), CODEX_SESSION);
    const marked = await markedEntry(page);
    assert.match(marked.text, /Answer.*The project contains README\.md and src\/main\.py\./);
  });

  it('a hit past the first transcript page: the page loads on until the hit is there', async () => {
    await search(page, 'needle');
    await page.locator(`[data-testid=search-hit][data-session="${LONG_SESSION}"]`).click();
    // The Codex session's marked entry stays on the page until the hit's session replaces it.
    await page.waitForFunction((id) => location.hash.startsWith(`#/sessions/${encodeURIComponent(id)}?event=`), LONG_SESSION);
    await page.locator('[data-testid=transcript-entry][aria-current=true]', { hasText: 'find the needle' }).waitFor();
    const marked = await markedEntry(page);
    assert.match(marked.text, /find the needle in this haystack/);
    assert.ok(marked.inView);
    assert.ok((await page.locator('[data-testid=transcript-entry]').count()) > 300, 'a second page was loaded');
  });

  it("the session's timeline covers all of it, past the 300 entries the transcript shows first", async () => {
    await page.evaluate(() => (location.hash = '#/overview'));
    await page.waitForFunction(() => document.querySelector('main')?.getAttribute('data-view') === 'overview');
    await page.evaluate((id) => (location.hash = `#/sessions/${encodeURIComponent(id)}`), LONG_SESSION);
    await page.locator('[data-testid=transcript-entry]').nth(299).waitFor();
    assert.equal(await page.locator('[data-testid=transcript-entry]').count(), 300, 'one page of the transcript');
    const lastPrompt = Date.UTC(2026, 10, 20, 9, 0, 0) / 1000 + 399;
    await page.waitForFunction((last) => {
      const range = document.querySelector('[data-testid=session-timeline] .chart')?.getAttribute('data-x-range');
      return !!range && Number(range.split(',')[1]) >= last;
    }, lastPrompt);
  });

  it('snippets are text: markup in a prompt shows as characters and runs nothing', async () => {
    await search(page, 'zanzibar');
    const hit = page.locator('[data-testid=search-hit]');
    assert.match((await hit.first().textContent()) ?? '', /<img src=x onerror=/);
    assert.equal(await page.locator('[data-testid=search-results] img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await search(page, 'nothingmatchesthis');
    assert.match((await page.locator('[data-testid=search-results]').textContent()) ?? '', /No matches for “nothingmatchesthis”/);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-testid=search-results]').count(), 0, 'Escape closes the list');
    assert.deepEqual(w.problems, []);
  });
});
