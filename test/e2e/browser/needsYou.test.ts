/**
 * The overview's "Needs you" strip (issue 18) in real Chromium against a real server, fed with the
 * real hooks of an interactive Claude Code session that asked for permission
 * (`test/fixtures/claude-interactive`): a session already waiting is listed as the page opens, one that
 * starts waiting appears live (what it asks included), leaves when its agent works again, and the
 * entry opens the session, whose page says how full its context is (live from the status line).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/server';
import { claudeTurn, type Payload } from '../../helpers/waitingHooks';
import { claudeStatusLineInput } from '../../helpers/statusLineInput';
import { buildWebview, launch, openPage, screenshot } from './browser';

async function hook(s: TestServer, p: Payload): Promise<void> {
  const r = await s.post('/api/hooks/claude-code', p);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const item = (sid: string) => `[data-testid=needs-you-item][data-session="${sid}"]`;
const listed = (page: Page) => page.locator('[data-testid=needs-you-item]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.session));

describe('overview: Needs you', async () => {
  buildWebview();
  const server = await startTestServer();
  const browser = await launch();
  const { start, prompt, pre, permission, permissionPrompt, post, stop, sid } = claudeTurn();
  const earlier = 'asked-before-the-page-opened';

  it('lists waiting sessions live, longest waiting first, each a link to its session', async () => {
    for (const p of [{ ...start, session_id: earlier }, { ...permission, session_id: earlier }, start, prompt, pre]) await hook(server, p);
    // Its main agent's last request sent 90k tokens: 45% of the model's 200k window.
    const request = { session_id: sid, agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5-20250929', tokens_in: 1000, cache_read_tokens: 89_000 };
    assert.equal((await server.post('/api/events', request)).status, 201);
    const w = await openPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'live');

    // Waiting before the page opened: listed from the start-up answer.
    await w.page.waitForSelector(item(earlier));
    assert.deepEqual(await listed(w.page), [earlier]);
    assert.match((await w.page.locator('#needs-you-h').textContent()) ?? '', /Needs you\s*1/);

    // Asked for a permission while the page is open: appears without a reload, saying what it asks.
    await hook(server, permission);
    await w.page.waitForSelector(item(sid));
    assert.deepEqual(await listed(w.page), [earlier, sid]);
    const entry = w.page.locator(item(sid));
    assert.equal(await entry.locator('.needs-you-what').textContent(), 'Needs permission');
    assert.equal(await entry.locator('[data-testid=needs-you-message]').textContent(), 'Bash: ls -la');
    assert.equal(await entry.locator('.needs-you-project').textContent(), 'proj');
    const card = w.page.locator(`[data-testid=agent-card][data-session="${sid}"]`);
    assert.equal(await card.locator('.badge').first().textContent(), 'needs permission', 'its card under Running now says so too');
    assert.equal(await card.locator('[data-testid=agent-card-context]').textContent(), '45% of 200,000');
    await screenshot(w.page, 'overview-needs-you');

    // Allowed: the agent works again and leaves the strip.
    await hook(server, post);
    await w.page.waitForSelector(item(sid), { state: 'detached' });
    assert.deepEqual(await listed(w.page), [earlier]);

    // Its turn is over: back, waiting for input, with its last message.
    await hook(server, stop);
    await w.page.waitForSelector(`${item(sid)}.state-waiting_input`);
    assert.equal(await w.page.locator(`${item(sid)} .needs-you-what`).textContent(), 'Waiting for input');
    assert.equal(await w.page.locator(`${item(sid)} [data-testid=needs-you-message]`).textContent(), String(stop.last_assistant_message));

    // The entry opens the session.
    await w.page.locator(item(sid)).click();
    await w.page.waitForFunction((id) => location.hash === `#/sessions/${encodeURIComponent(id)}`, sid);
    // Its page says how full the context is; the status line's reading (a 1M window) replaces it live.
    const context = w.page.locator('[data-testid=session-context]');
    await context.waitFor();
    assert.equal(await context.locator('.metric-value').textContent(), '45%');
    assert.equal(await context.locator('.metric-sub').textContent(), '90,000 of 200,000 tokens');
    const reading = claudeStatusLineInput({ sessionId: sid, cwd: '/work/proj', contextTokens: 250_000 });
    reading.context_window = { ...(reading.context_window as object), context_window_size: 1_000_000, used_percentage: 25 };
    assert.equal((await server.post('/api/statusline/claude-code', reading)).status, 200);
    await w.page.waitForFunction(() => document.querySelector('[data-testid=session-context] .metric-value')?.textContent === '25%');
    assert.equal(await context.locator('.metric-sub').textContent(), '250,000 of 1,000,000 tokens');

    // Both agents get their answer: nothing needs the user, and the strip is gone.
    await w.page.goto(`${server.url}/#/overview`);
    await w.page.waitForSelector(item(earlier));
    await hook(server, { ...prompt, prompt_id: 'turn-2' });
    await hook(server, { ...prompt, session_id: earlier, prompt_id: 'earlier-turn-2' });
    await w.page.waitForSelector('[data-testid=needs-you]', { state: 'detached' });
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });

  it('browser notifications, once turned on: one per wait, naming the agent, project and what it asks', async () => {
    const w = await openPage(browser);
    await w.page.context().grantPermissions(['notifications'], { origin: server.url });
    // What the page hands the browser's Notification API (headless Chromium shows none to look at).
    // A string, not a function: tsx adds helpers (__name) to functions that the page does not have.
    await w.page.addInitScript(`
      window.notes = [];
      class Recorded {
        static get permission() { return 'granted'; }
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, o) { this.onclick = null; window.notes.push({ title, body: (o && o.body) || '' }); }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
    `);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'live');
    await w.page.locator('[data-testid=notify-waiting]').check();
    await w.page.waitForFunction(() => localStorage.getItem('agentmonitor.notifyWaiting') === '1');
    const notes = () => w.page.evaluate(() => (window as unknown as { notes: { title: string; body: string }[] }).notes);

    for (const p of [{ ...start, session_id: 'notify-a' }, { ...permission, session_id: 'notify-a' }]) await hook(server, p);
    await w.page.waitForSelector(item('notify-a'));
    await w.page.waitForFunction(() => (window as unknown as { notes: unknown[] }).notes.length === 1);
    assert.deepEqual(await notes(), [{ title: 'Claude Code in proj needs your permission', body: 'Bash: ls -la' }]);
    // Claude Code's own notification of the same prompt is the same wait; a second agent's is a new one.
    await hook(server, { ...permissionPrompt, session_id: 'notify-a' });
    for (const p of [{ ...start, session_id: 'notify-b' }, { ...stop, session_id: 'notify-b' }]) await hook(server, p);
    await w.page.waitForFunction(() => (window as unknown as { notes: unknown[] }).notes.length >= 2);
    assert.deepEqual(await notes(), [
      { title: 'Claude Code in proj needs your permission', body: 'Bash: ls -la' },
      { title: 'Claude Code in proj is waiting for your input', body: String(stop.last_assistant_message) },
    ]);
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });
});
