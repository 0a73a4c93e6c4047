/**
 * The extension in a real VS Code (code-server) host: activation starts the server, hook events
 * reach the tree and the status bar, the dashboard panel shows live data, a second window follows
 * the first and takes over when it goes away. Needs `bash test/e2e/vscode/setup.sh` once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { health, packageVsix, runCommand, startCodeServer, ticker, waitFor, type CodeServer } from './codeServer';

let cs: CodeServer;
let workspace: string;
let page: Page;

async function post(route: string, body: object): Promise<void> {
  const res = await fetch(`${cs.amUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.status < 300, `POST ${route} answered ${res.status}: ${await res.text()}`);
}

function serverProcesses(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return cmd.some((a) => a.startsWith(cs.dir) && a.endsWith(path.join('dist', 'cli.js'))) && cmd.includes('serve');
      } catch {
        return false;
      }
    })
    .map(Number);
}

before(async () => {
  const vsix = packageVsix();
  cs = await startCodeServer({ vsix });
  workspace = path.join(cs.dir, 'shop-e2e');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'README.md'), '# shop\n');
});

after(async () => {
  await cs?.close();
});

test('activation starts the server; the tree and the status bar follow hook events', async () => {
  page = await cs.openWindow(workspace);
  const h = await waitFor(() => health(cs.amUrl), 'the extension to start the AgentMonitor server');
  assert.equal(h.service, 'agentmonitor');
  assert.deepEqual(serverProcesses(), [h.pid], 'the server runs as a child of the extension host, from the installed extension');

  await ticker(page).waitFor({ timeout: 60_000 });
  assert.match((await ticker(page).innerText()).trim(), /\$0\.00 · 0 active/);

  await page.locator('.activitybar .action-item a[aria-label^="AgentMonitor"]').click();
  await page.getByText('No agent activity yet', { exact: false }).waitFor({ timeout: 30_000 });

  await post('/api/hooks/claude-code', {
    session_id: 'e2e-session-1',
    transcript_path: path.join(cs.dir, 'e2e-session-1.jsonl'),
    cwd: '/work/shop-e2e',
    hook_event_name: 'SessionStart',
    source: 'startup',
  });
  await post('/api/events', {
    session_id: 'e2e-session-1',
    agent_type: 'claude-code',
    event_type: 'llm_request',
    event_id: 'e2e-req-1',
    model: 'claude-sonnet-4-5',
    tokens_in: 1000,
    tokens_out: 200,
    cost_usd: 1.25,
    project: '/work/shop-e2e',
  });
  const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Agents' }) });
  const row = view.locator('.monaco-list-row', { hasText: 'shop-e2e' }).first();
  await row.waitFor({ timeout: 30_000 });
  assert.match(await row.innerText(), /\$1\.25 · /);
  await view.locator('.monaco-list-row', { hasText: 'Claude Code' }).first().waitFor();
  await page.locator('.statusbar-item', { hasText: '$1.25 · 1 active' }).waitFor({ timeout: 30_000 });
});

test('Open Dashboard shows live data through the webview bridge', async () => {
  await runCommand(page, 'AgentMonitor: Open Dashboard');
  const frame = page.frameLocator('iframe.webview').frameLocator('#active-frame');
  await frame.locator('[data-testid="connection"]', { hasText: 'live' }).waitFor({ timeout: 60_000 });
  await frame.locator('[data-testid="period-today"]', { hasText: '$1.25' }).waitFor({ timeout: 30_000 });
  await post('/api/events', {
    session_id: 'e2e-session-1',
    agent_type: 'claude-code',
    event_type: 'llm_request',
    event_id: 'e2e-req-2',
    model: 'claude-sonnet-4-5',
    tokens_in: 10,
    tokens_out: 10,
    cost_usd: 0.5,
    project: '/work/shop-e2e',
  });
  await frame.locator('[data-testid="period-today"]', { hasText: '$1.75' }).waitFor({ timeout: 30_000 });
  await page.locator('.statusbar-item', { hasText: '$1.75 · 1 active' }).waitFor({ timeout: 30_000 });
});

test('a second window follows the first and takes over when the first goes away', async () => {
  const owner = (await health(cs.amUrl))!;
  const second = await cs.openWindow(workspace);
  await second.locator('.statusbar-item', { hasText: '$1.75 · 1 active' }).waitFor({ timeout: 120_000 });
  assert.equal((await health(cs.amUrl))!.pid, owner.pid, 'the second window did not start its own server');
  assert.deepEqual(serverProcesses(), [owner.pid]);

  await page.context().close();
  const next = await waitFor(async () => {
    const h = await health(cs.amUrl);
    return h && h.pid !== owner.pid ? h : null;
  }, 'the second window to take the port over');
  assert.deepEqual(serverProcesses(), [next.pid], 'the first server stopped; exactly one server runs');
  await post('/api/events', {
    session_id: 'e2e-session-1',
    agent_type: 'claude-code',
    event_type: 'llm_request',
    event_id: 'e2e-req-3',
    model: 'claude-sonnet-4-5',
    cost_usd: 0.25,
    project: '/work/shop-e2e',
  });
  await second.locator('.statusbar-item', { hasText: '$2.00 · 1 active' }).waitFor({ timeout: 60_000 });
  page = second;
});
