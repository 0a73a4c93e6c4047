/**
 * The dashboard of a team server (`serve --database-url`, on a throwaway PostgreSQL) in Chromium:
 * the overview, the Sessions list, a session's page and the Costs view show what two people's
 * agents sent, with the numbers the team server's API answers.
 */
import * as os from 'node:os';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { CostBreakdown, SessionDetail, Stats } from '../../../src/core/contracts/api';
import type { EventInput } from '../../../src/core/contracts/events';
import { silentLogger } from '../../../src/core/log';
import { createToken, revokeTokens } from '../../../src/core/team/pgTokens';
import { startTeamServer, type RunningTeamServer } from '../../../src/core/team/teamServer';
import { formatUsd } from '../../../webview/lib/format';
import { postgresSkipReason, startCluster } from '../../helpers/postgres';
import { inOneUtcDay } from '../../helpers/period';
import { buildWebview, launch, openPage, screenshot, type Watched } from './browser';

const skip = postgresSkipReason();

function seed(now: number): EventInput[] {
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  const ana = { session_id: 'team-ana', agent_type: 'claude-code', project: '/work/shop', metadata: { 'user.email': 'ana@example.com' } };
  const bo = { session_id: 'team-bo', agent_type: 'codex', project: '/work/api', metadata: { 'user.email': 'bo@example.com' } };
  return [
    { ...ana, event_type: 'session_start', event_id: 'ta-1', client_timestamp: at(300) },
    { ...ana, event_type: 'llm_request', event_id: 'ta-2', model: 'claude-sonnet-4-5', tokens_in: 4000, tokens_out: 1500, cache_read_tokens: 30_000, client_timestamp: at(200) },
    { ...ana, event_type: 'tool_use', event_id: 'ta-3', tool_name: 'Bash', status: 'success', duration_ms: 900, client_timestamp: at(150) },
    { ...ana, event_type: 'user_prompt', event_id: 'ta-4', client_timestamp: at(140), metadata: { ...ana.metadata, prompt: 'Fix the Checkout flow in src/shop/cart.ts' } },
    { ...bo, event_type: 'llm_request', event_id: 'tb-1', model: 'gpt-5', tokens_in: 9000, tokens_out: 700, client_timestamp: at(120) },
  ];
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

async function goto(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((h) => document.querySelector('main')?.getAttribute('data-view') === h.split('/')[1], hash);
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

describe('a team server\'s dashboard in chromium', { skip: skip ?? false }, async () => {
  if (skip) return;
  // Set up in the suite body (not a before hook) so the browser lives until the suite ends.
  buildWebview();
  const cluster = await startCluster();
  // The service token (AGENTMONITOR_TOKEN) writes the seed as the people its events name.
  const team: RunningTeamServer = await startTeamServer({ port: 0, host: '127.0.0.1', token: 'dashboard-service-token' }, { databaseUrl: await cluster.createDatabase('team_dashboard'), log: silentLogger });
  after(() => team.close());
  const w: Watched = await openPage(await launch());
  const page: Page = w.page;

  before(async () => {
    // The seeds are up to 5 minutes old and counted as today's.
    await inOneUtcDay(300_000);
    // Each person's events from their machine.
    const events = seed(Date.now());
    for (const [session, machine] of [['team-ana', 'ws-north'], ['team-bo', 'ws-south']]) {
      const posted = await fetch(`${team.url}/api/events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer dashboard-service-token', 'x-agentmonitor-machine': machine },
        body: JSON.stringify(events.filter((e) => e.session_id === session)),
      });
      assert.equal(posted.status, 201);
    }
    await page.goto(`${team.url}/`);
    await page.waitForSelector('[data-testid=period-today]');
  });

  it('the overview shows today\'s cost and a card per running session, from the team database', async () => {
    const stats = await getJson<Stats>(`${team.url}/api/stats?tz=UTC`);
    assert.ok(stats.today.cost_usd > 0, 'the seeded usage is priced');
    await page.waitForFunction((want) => document.querySelector('[data-testid=period-today] .metric-value')?.textContent?.trim() === want, formatUsd(stats.today.cost_usd));
    const detail = await getJson<SessionDetail>(`${team.url}/api/sessions/team-ana`);
    const card = page.locator('[data-testid=agent-card][data-session=team-ana]');
    await card.waitFor();
    assert.equal(((await card.locator('[data-testid=agent-card-cost]').textContent()) ?? '').trim(), formatUsd(detail.session.cost_usd));
    await screenshot(page, 'team-overview');
  });

  it('Sessions lists both people\'s sessions; a session\'s page shows its cost, models and transcript', async () => {
    await goto(page, '#/sessions');
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key=team-ana]');
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key=team-bo]');
    await page.locator('[data-testid=sessions-table] tr[data-key=team-ana] a').first().click();
    const detail = await getJson<SessionDetail>(`${team.url}/api/sessions/team-ana`);
    assert.equal(detail.session.person, 'ana@example.com');
    await page.waitForSelector('[data-testid=session-cost] .metric-value');
    assert.equal(await text(page, '[data-testid=session-cost] .metric-value'), formatUsd(detail.session.cost_usd));
    // Who ran it, on which machine (the machine the writing request named).
    assert.match(await text(page, '[data-testid=session-id]'), /^team-ana · ana@example\.com on ws-north · started/);
    await page.waitForSelector('[data-testid=session-models] tr[data-key="claude-sonnet-4-5"]');
    assert.equal(await text(page, '[data-testid=session-models] tr[data-key="claude-sonnet-4-5"] [data-col=cost]'), formatUsd(detail.models[0].cost_usd));
    const bash = page.locator('[data-testid=transcript-entry][data-kind=tool]', { hasText: 'Bash' });
    await bash.waitFor();
    await screenshot(page, 'team-session');
  });

  it('Sessions and the live feed filter by person; a live event of another person stays out of the filtered feed', async () => {
    await goto(page, '#/sessions');
    await page.locator('select[data-filter=person]').selectOption('bo@example.com');
    await page.waitForFunction(() => !document.querySelector('[data-testid=sessions-table] tr[data-key=team-ana]'));
    assert.equal(await page.locator('[data-testid=sessions-table] tr[data-key=team-bo]').count(), 1);
    assert.match(await page.evaluate(() => location.hash), /person=bo%40example\.com/);
    await goto(page, '#/feed');
    await page.locator('select[data-filter=person]').selectOption('ana@example.com');
    await page.locator('.vlist-spacer .vrow', { hasText: 'team-ana' }).first().waitFor();
    assert.equal(await page.locator('.vlist-spacer .vrow', { hasText: 'team-bo' }).count(), 0);
    const live = (person: string, session: string, tool: string) =>
      fetch(`${team.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer dashboard-service-token' },
        body: JSON.stringify({ session_id: session, agent_type: 'codex', event_type: 'tool_use', tool_name: tool, event_id: `live-${tool}`, metadata: { 'user.email': person } }),
      });
    assert.equal((await live('bo@example.com', 'team-bo', 'HiddenTool')).status, 201);
    assert.equal((await live('ana@example.com', 'team-ana', 'ShownTool')).status, 201);
    await page.locator('.vlist-spacer .vrow', { hasText: 'ShownTool' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.vlist-spacer .vrow', { hasText: 'HiddenTool' }).count(), 0);
    await screenshot(page, 'team-feed-person');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('.vlist-spacer .vrow', { hasText: 'HiddenTool' }).waitFor({ timeout: 10_000 });
  });

  it('search finds a prompt in the team database and opens its session', async () => {
    const input = page.locator('[data-testid=search-input]');
    await input.fill('checkout cart');
    await input.press('Enter');
    const hit = page.locator('[data-testid=search-hit][data-session=team-ana]');
    await hit.waitFor();
    assert.equal(await page.locator('[data-testid=search-hit]').count(), 1);
    assert.equal(((await hit.locator('.search-snippet').textContent()) ?? '').trim(), 'Fix the Checkout flow in src/shop/cart.ts');
    await hit.click();
    await page.waitForSelector('[data-testid=session-cost] .metric-value');
    assert.match(await page.evaluate(() => location.hash), /team-ana/);
  });

  it('Sessions and the live feed filter by machine', async () => {
    await goto(page, '#/sessions');
    await page.locator('select[data-filter=machine]').selectOption('ws-south');
    await page.waitForFunction(() => !document.querySelector('[data-testid=sessions-table] tr[data-key=team-ana]'));
    assert.equal(await page.locator('[data-testid=sessions-table] tr[data-key=team-bo]').count(), 1);
    assert.match(await page.evaluate(() => location.hash), /machine=ws-south/);
    await goto(page, '#/feed');
    await page.locator('select[data-filter=machine]').selectOption('ws-north');
    await page.locator('.vlist-spacer .vrow', { hasText: 'team-ana' }).first().waitFor();
    assert.equal(await page.locator('.vlist-spacer .vrow', { hasText: 'team-bo' }).count(), 0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('.vlist-spacer .vrow', { hasText: 'team-bo' }).first().waitFor();
  });

  it('Costs shows the total and the cost per model the team server computes', async () => {
    await goto(page, '#/costs');
    const since = await page.evaluate(() => {
      const d = new Date();
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() - 29).toISOString();
    });
    const byDay = await getJson<CostBreakdown>(`${team.url}/api/stats/cost?by=day&stack=model&tz=UTC&since=${encodeURIComponent(since)}`);
    const byModel = await getJson<CostBreakdown>(`${team.url}/api/stats/cost?by=model&tz=UTC&since=${encodeURIComponent(since)}`);
    await page.waitForSelector('[data-testid=cost-by-model] tr[data-key="gpt-5"]');
    assert.equal(await text(page, '[data-testid=costs-total] .metric-value'), formatUsd(byDay.totals.cost_usd));
    const gpt = byModel.rows.find((r) => r.key === 'gpt-5')!;
    assert.equal(await text(page, '[data-testid=cost-by-model] tr[data-key="gpt-5"] [data-col=cost]'), formatUsd(gpt.cost_usd));
    await screenshot(page, 'team-costs');
    assert.deepEqual(
      w.problems.filter((p) => /CSP|pageerror/.test(p)),
      [],
    );
  });
});

/** This machine's first IPv4 address off loopback, if it has one. */
function offLoopbackAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

// Bound to a real address off loopback when the machine has one; else to 0.0.0.0 (also off
// loopback for the server's checks: reads need a token) and reached on 127.0.0.1.
const address = offLoopbackAddress();
const bind = address ?? '0.0.0.0';

describe(`a team server bound off loopback (${bind}): the dashboard signs in with a token`, { skip: skip ?? false }, async () => {
  if (skip) return;
  buildWebview();
  const cluster = await startCluster();
  const team: RunningTeamServer = await startTeamServer({ port: 0, host: bind, token: 'login-service-token' }, { databaseUrl: await cluster.createDatabase('team_login'), log: silentLogger });
  after(() => team.close());
  const base = `http://${address ?? '127.0.0.1'}:${team.port}`;
  const w: Watched = await openPage(await launch());
  const page: Page = w.page;
  let token = '';

  before(async () => {
    const posted = await fetch(`${base}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer login-service-token' }, body: JSON.stringify(seed(Date.now())) });
    assert.equal(posted.status, 201);
    token = (await createToken(team.store.pool, 'ana@example.com')).token;
  });

  it('without a token the page is a sign-in form showing no team data; a wrong token is refused on the form', async () => {
    assert.equal((await fetch(`${base}/api/sessions`)).status, 401, 'the API needs a token');
    await page.goto(`${base}/#/sessions`);
    await page.waitForSelector('[data-testid=team-login]');
    assert.doesNotMatch((await page.textContent('body')) ?? '', /team-ana|ana@example\.com/);
    await page.fill('#token', 'amt_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => /refused/.test(document.getElementById('login-error')?.textContent ?? ''));
    await screenshot(page, 'team-login-refused');
  });

  it('signed in, the dashboard loads where it was asked, and its requests and live stream carry the cookie, which scripts cannot read', async () => {
    await page.fill('#token', token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key=team-ana]');
    await page.waitForSelector('[data-testid=sessions-table] tr[data-key=team-bo]');
    const stored = await page.evaluate(() => ({ cookie: document.cookie, session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) }));
    assert.equal(stored.cookie, '', 'HttpOnly: the page cannot read the token');
    assert.ok(!stored.session.includes('amt_') && !stored.local.includes('amt_'), 'the token is kept nowhere a script can read');
    await goto(page, '#/feed');
    await page.locator('.vlist-spacer .vrow', { hasText: 'team-ana' }).first().waitFor();
    const live = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ session_id: 'team-ana', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'SignedInTool', event_id: 'live-signed-in' }),
    });
    assert.equal(live.status, 201);
    await page.locator('.vlist-spacer .vrow', { hasText: 'SignedInTool' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'team-login-feed');
    assert.deepEqual(
      w.problems.filter((p) => /CSP|pageerror/.test(p)),
      [],
    );
  });

  it("a revoked token ends the sign-in: the dashboard's next request brings the form back", async () => {
    await revokeTokens(team.store.pool, { person: 'ana@example.com' });
    // Costs asks the API (first visit); the 401 reloads the page, which is the sign-in form now.
    await page.evaluate(() => (location.hash = '#/costs'));
    await page.waitForSelector('[data-testid=team-login]');
    assert.equal(await page.evaluate(() => location.hash), '#/costs', 'signing in again returns to the view');
  });
});

if (skip) it(`a team server's dashboard: skipped (${skip})`, { skip }, () => {});
