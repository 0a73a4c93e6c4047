/**
 * Shared setup for the dashboard tests: the webview bundle built once, Debian chromium through
 * playwright-core (never a downloaded browser), console errors and CSP violations collected.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(__dirname, '../../..');
export const CHROMIUM = process.env.AGENTMONITOR_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = process.env.AGENTMONITOR_ARTIFACTS_DIR ?? path.join(os.tmpdir(), 'agentmonitor-screenshots');

let built = false;
/** Build `dist/webview.js` + `.css` (only that esbuild context) so the test sees current sources. */
export function buildWebview(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--only=webview'], { cwd: root, stdio: 'pipe' });
  built = true;
}

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  after(() => browser.close());
  return browser;
}

export interface Watched {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

export async function openPage(browser: Browser, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC', colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}
