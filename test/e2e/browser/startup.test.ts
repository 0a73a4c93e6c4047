import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { Stats } from '../../../src/core/contracts/api';
import { DASHBOARD_PRELOAD_GLOBAL } from '../../../src/core/contracts/webview';
import { formatUsd } from '../../../webview/lib/format';
import { startTestServer, type TestServer } from '../../helpers/server';
import { buildWebview, launch, openPage } from './browser';

/** What the views warmed while the page is idle ask (`viewWarmUp.tsx`; the Sessions list and its filters' menus): not start-up requests. */
const warmUpRequest = (p: string) => p.startsWith('/api/stats/') || p === '/api/sessions?nest=true&limit=50' || p === '/api/filter-options';

/** API GETs the page made for itself (not for the views it warms when idle), by path and query, in order. */
function recordApi(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    const p = `${u.pathname}${u.search}`;
    if (u.pathname.startsWith('/api/') && u.pathname !== '/api/stream' && !warmUpRequest(p)) seen.push(p);
  });
  return seen;
}

describe('dashboard start-up', async () => {
  buildWebview();
  const server: TestServer = await startTestServer();
  const now = Date.now();
  await server.post('/api/events/batch', [
    { session_id: 's1', agent_type: 'claude-code', event_type: 'session_start', event_id: 'st-1', model: 'claude-sonnet-4-5', client_timestamp: new Date(now - 60_000).toISOString() },
    { session_id: 's1', agent_type: 'claude-code', event_type: 'llm_request', event_id: 'st-2', model: 'claude-sonnet-4-5', tokens_in: 1000, tokens_out: 500, client_timestamp: new Date(now - 30_000).toISOString() },
  ]);
  const browser = await launch();

  it('the page asks for its first data before the bundle runs, and the app uses those answers', async () => {
    const w = await openPage(browser);
    const api = recordApi(w.page);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForSelector('[data-testid=period-today] .metric-value');
    const stats = (await server.get<Stats>('/api/stats?tz=UTC')).body;
    assert.equal(((await w.page.locator('[data-testid=period-today] .metric-value').textContent()) ?? '').trim(), formatUsd(stats.today.cost_usd));
    await w.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'live');
    // A first visit guesses the server's zone (the test server runs in this process); the page's is UTC.
    const serverTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const guess = serverTz === 'UTC' ? [] : [`/api/stats?${new URLSearchParams({ tz: serverTz })}`];
    assert.deepEqual(
      [...api].sort(),
      [...guess, '/api/stats?tz=UTC', '/api/sessions?status=active%2Cidle&limit=50', '/api/attention', '/api/events?limit=200&order=created_at'].sort(),
      'each start-up request once: the app took the preloaded answers',
    );
    assert.deepEqual(await w.page.evaluate((g) => Object.keys((window as unknown as Record<string, object>)[g]), DASHBOARD_PRELOAD_GLOBAL), [], 'every preloaded answer was taken');
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });

  it('a zone saved by an earlier visit that is no longer right costs one request, not a wrong number', async () => {
    const w = await openPage(browser);
    await w.page.addInitScript(() => localStorage.setItem('agentmonitor.timeZone', 'Asia/Tokyo'));
    const api = recordApi(w.page);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForSelector('[data-testid=period-today] .metric-value');
    await w.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'live');
    assert.deepEqual(
      api.filter((p) => p.startsWith('/api/stats')),
      ['/api/stats?tz=Asia%2FTokyo', '/api/stats?tz=UTC'],
      'the guess, then the browser zone (UTC here), which the app used',
    );
    assert.equal(await w.page.evaluate(() => localStorage.getItem('agentmonitor.timeZone')), 'UTC');
    assert.deepEqual(w.problems, []);
    await w.page.context().close();
  });

  it('assets: linked by content hash and then cached for good, gzipped, revalidated by ETag', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const m = /<script nonce="[^"]+" src="(\/assets\/webview\.js\?v=([\w-]+))" defer><\/script>/.exec(html);
    assert.ok(m, 'the bundle is linked from the head with its version');
    assert.ok(html.indexOf(DASHBOARD_PRELOAD_GLOBAL) < html.indexOf('<body>'), 'the preloader is inline in the head');
    const raw = await fetch(`${server.url}${m[1]}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(raw.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const etag = raw.headers.get('etag');
    assert.equal(etag, `"${m[2]}"`);
    const body = Buffer.from(await raw.arrayBuffer());
    // fetch would unzip by itself: read the compressed bytes through node:http semantics instead.
    const { request } = await import('node:http');
    const gz = await new Promise<{ enc: string | undefined; buf: Buffer }>((resolve, reject) => {
      request(`${server.url}${m[1]}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ enc: res.headers['content-encoding'], buf: Buffer.concat(parts) }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(gz.enc, 'gzip');
    assert.ok(gz.buf.length < body.length / 2);
    assert.deepEqual(gunzipSync(gz.buf), body);
    const again = await fetch(`${server.url}/assets/webview.js`, { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    const unversioned = await fetch(`${server.url}/assets/webview.js?v=old`);
    assert.equal(unversioned.headers.get('cache-control'), 'no-cache', 'another version is not cached for good');
  });
});
