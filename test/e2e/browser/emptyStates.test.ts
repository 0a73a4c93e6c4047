/**
 * Empty states and hints (issue 19), on a real server with an empty database, in chromium: in a
 * browser they name the CLI; inside VS Code they name the extension's commands and settings (the
 * CLI is not on the user's PATH there), follow the server URL the host reports after a port change,
 * and no hint runs out of its card or box, also in a narrow panel.
 *
 * The VS Code page is the same bundle with `acquireVsCodeApi` defined, as in a webview; the bridge
 * below plays the extension host's part (`dashboardPanel.ts`): it answers `api_get` from the real
 * server and reports the connection with its `server_url`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { connectAgentSnippets } from '../../../src/core/setup/snippets';
import { startTestServer, type TestServer } from '../../helpers/server';
import { buildWebview, launch, openPage, screenshot, type Watched } from './browser';

/**
 * Runs in the page before its scripts: a webview's `acquireVsCodeApi`, bridged to the server at
 * `url`. Plain JavaScript text: a function would be sent through tsx's transform, whose helpers the
 * page does not have.
 */
function vscodeBridge(url: string): string {
  return `(() => {
    const url = ${JSON.stringify(url)};
    let state;
    const post = (m) => window.postMessage(m, '*');
    window.acquireVsCodeApi = () => ({
      postMessage(msg) {
        if (msg.type === 'ready') post({ type: 'connection', state: 'connected', server_url: url });
        if (msg.type !== 'api_get') return;
        const sp = new URLSearchParams();
        for (const [k, v] of Object.entries(msg.query || {})) if (v !== undefined && v !== '') sp.set(k, Array.isArray(v) ? v.join(',') : String(v));
        const q = sp.toString();
        fetch(url + msg.path + (q ? '?' + q : '')).then(async (r) => {
          const body = await r.json().catch(() => null);
          post(r.ok
            ? { type: 'api_response', request_id: msg.request_id, ok: true, status: r.status, body }
            : { type: 'api_response', request_id: msg.request_id, ok: false, status: r.status, error: String(r.status) });
        });
      },
      getState: () => state,
      setState: (s) => { state = s; },
    });
  })();`;
}

async function openHost(browser: Browser, server: TestServer, host: 'browser' | 'vscode'): Promise<Watched> {
  const w = await openPage(browser);
  if (host === 'vscode') await w.page.addInitScript(vscodeBridge(server.url));
  await w.page.goto(`${server.url}/`);
  await w.page.locator('[data-testid=empty-state]').waitFor();
  return w;
}

/** Elements under `box` whose right edge passes the box's, or whose text is wider than themselves. */
async function overflowing(box: Locator, selector: string): Promise<string[]> {
  return box.evaluate((b, sel) => {
    const right = b.getBoundingClientRect().right + 0.5;
    return [...b.querySelectorAll<HTMLElement>(sel)]
      .filter((e) => e.getBoundingClientRect().right > right || e.scrollWidth > e.clientWidth + 0.5)
      .map((e) => `${e.tagName} ${(e.textContent ?? '').slice(0, 60)}`);
  }, selector);
}

/** The Usage view in a window where its cards are at their narrowest (170 px, two in a row). */
async function showUsage(page: Page): Promise<Locator> {
  await page.setViewportSize({ width: 382, height: 800 });
  await page.evaluate(() => (location.hash = '#/usage'));
  const card = page.locator('[data-testid=daily-budget]');
  await card.waitFor();
  return card;
}

describe('empty states and hints in chromium', async () => {
  buildWebview();
  const server = await startTestServer();
  const browser = await launch();

  it('in a browser: CLI commands and the env variable, every hint inside its box at 1024 and 420 px', async () => {
    const { page, problems } = await openHost(browser, server, 'browser');
    const empty = page.locator('[data-testid=empty-state]');
    const text = (await empty.textContent()) ?? '';
    assert.match(text, /agentmonitor hooks install/);
    assert.match(text, /agentmonitor import/);
    assert.equal(await page.locator('[data-testid=server-url]').textContent(), server.url);
    // The telemetry snippets are the setup module's, for this server (issue 22: they disagreed with README).
    const snippets = connectAgentSnippets(server.url);
    assert.deepEqual(await empty.locator('pre').allTextContents(), [snippets.claudeTelemetry, snippets.codexTelemetry, snippets.geminiTelemetry, snippets.copilotTelemetry]);
    // Every agent whose logs are read is named (src/core/agents/), not only Claude Code and Codex.
    assert.match(text, /Claude Code, Codex, Gemini CLI, Copilot CLI, OpenCode and Copilot Chat sessions show up as their logs are written/);
    for (const width of [1024, 420]) {
      await page.setViewportSize({ width, height: 800 });
      assert.deepEqual(await overflowing(empty, 'p, li, pre, code'), [], `at ${width} px`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no horizontal scroll at ${width} px`);
    }
    await screenshot(page, 'empty-state-420');
    const card = await showUsage(page);
    assert.match((await card.locator('.metric-sub').textContent()) ?? '', /AGENTMONITOR_DAILY_BUDGET_USD/);
    assert.deepEqual(await overflowing(card, '.metric-sub, .metric-sub code'), [], 'the budget hint stays in its card');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('in VS Code: the extension\'s commands and settings, no CLI command or env variable', async () => {
    const { page, problems } = await openHost(browser, server, 'vscode');
    await page.setViewportSize({ width: 420, height: 800 });
    const empty = page.locator('[data-testid=empty-state]');
    const commands = await empty.locator('.palette-command').allTextContents();
    assert.deepEqual(commands, [
      'AgentMonitor: Install Claude Code Hooks',
      'AgentMonitor: Configure Codex Telemetry',
      'AgentMonitor: Import All Logs',
      'AgentMonitor: Import Workspace Logs',
    ]);
    const text = (await empty.textContent()) ?? '';
    assert.doesNotMatch(text, /agentmonitor (hooks|import|demo|serve)/, 'no CLI command');
    assert.match(text, /agentMonitor\.watchLogs/);
    assert.deepEqual(await overflowing(empty, 'p, li, pre, code, kbd'), []);
    await screenshot(page, 'empty-state-vscode-420');

    // The host reports another server after a port change: the setup text follows it.
    const moved = 'http://127.0.0.1:4242';
    await page.evaluate((url) => window.postMessage({ type: 'connection', state: 'connected', server_url: url }, '*'), moved);
    await page.waitForFunction((url) => document.querySelector('[data-testid=server-url]')?.textContent === url, moved);
    assert.match((await empty.locator('pre').first().textContent()) ?? '', /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:4242\/api\/otel/);

    const card = await showUsage(page);
    const hint = (await card.locator('.metric-sub').textContent()) ?? '';
    assert.match(hint, /agentMonitor\.dailyBudgetUSD/);
    assert.doesNotMatch(hint, /AGENTMONITOR_/);
    assert.deepEqual(await overflowing(card, '.metric-sub, .metric-sub code'), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
