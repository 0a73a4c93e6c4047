/**
 * Opens AgentMonitor's browser dashboard in headless Chromium (Debian's, via playwright-core) and
 * waits, bounded, until its page shows a given text.
 */
import * as fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export function chromiumMissing(): string | false {
  return fs.existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} not installed (apt-get install chromium)`;
}

export interface DashboardLook {
  found: boolean;
  /** The page's visible text when it was last read (for failure messages). */
  text: string;
  pageErrors: string[];
}

export async function dashboardShows(url: string, needles: string[], timeoutMs = 20_000): Promise<DashboardLook> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    let text = '';
    for (;;) {
      text = await page.evaluate(() => document.body?.innerText ?? '');
      if (needles.every((n) => text.includes(n))) return { found: true, text, pageErrors };
      if (Date.now() > deadline) return { found: false, text, pageErrors };
      await page.waitForTimeout(250);
    }
  } finally {
    await browser.close();
  }
}
