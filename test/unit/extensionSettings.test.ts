/**
 * The settings as the Settings editor shows them (issue 19: "Daily Budget Usd", "Max Sse Clients",
 * "Db Path" and no order). VS Code derives a setting's title from its key; `settingTitle` is its
 * rule (workbench settingsTree: camelCase split, runs of capitals kept together).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, readSettings, RENAMED_SETTINGS, serverEnv } from '../../src/extension/settings';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { title: string; order: number; properties: Record<string, { order?: number }> }[] };
};

function settingTitle(key: string): string {
  return key
    .slice(key.lastIndexOf('.') + 1)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]{1,})([A-Z][a-z])/g, '$1 $2')
    .replace(/^[a-z]/g, (c) => c.toUpperCase());
}


test('settings come in titled groups, each in a set order, with titles that read as words', () => {
  const groups = pkg.contributes.configuration;
  assert.ok(Array.isArray(groups) && groups.length > 1, 'grouped');
  const titles: string[] = [];
  for (const [i, g] of groups.entries()) {
    assert.ok(g.title && g.order === i, `group ${i} has a title and its order`);
    const orders = Object.values(g.properties).map((p) => p.order);
    assert.deepEqual(orders, orders.map((_, j) => j), `${g.title}: every setting has its order`);
    for (const key of Object.keys(g.properties)) {
      const title = settingTitle(key);
      titles.push(title);
      assert.doesNotMatch(title, /\b(Db|Sse|Kb|Ms|Usd|Url)\b/, `${key} shows as "${title}"`);
    }
  }
  assert.ok(titles.includes('Database Path') && titles.includes('Max Stream Clients') && titles.includes('Max Payload KB') && titles.includes('Daily Budget USD'), titles.join(', '));
  const declared = groups.flatMap((g) => Object.keys(g.properties).map((k) => k.replace('agentMonitor.', '')));
  for (const [now, old] of Object.entries(RENAMED_SETTINGS)) {
    assert.ok(declared.includes(now), `${now} is declared`);
    assert.ok(!declared.includes(old), `${old} is no longer declared`);
  }
});

test('a value under a renamed setting\'s old key still counts while the new key is at its default', () => {
  const user: Record<string, unknown> = { dbPath: '/old/a.db', maxSseClients: 7, sseHeartbeatMs: 2000, maxPayloadKb: 64, dailyBudgetUsd: 12 };
  // What WorkspaceConfiguration.get answers: declared keys with their defaults, old keys as set.
  const declaredDefaults: Record<string, unknown> = { databasePath: '', maxStreamClients: 50, streamHeartbeatInterval: 15000, maxPayloadKB: 32, dailyBudgetUSD: 0 };
  const s = readSettings((k) => (k in user ? user[k] : declaredDefaults[k]));
  assert.deepEqual([s.dbPath, s.maxSseClients, s.sseHeartbeatMs, s.maxPayloadKb, s.dailyBudgetUsd], ['/old/a.db', 7, 2000, 64, 12]);
  const both = readSettings((k) => ({ ...declaredDefaults, ...user, databasePath: '/new/b.db', maxStreamClients: 9 })[k]);
  assert.equal(both.dbPath, '/new/b.db', 'the new key wins once set');
  assert.equal(both.maxSseClients, 9);
  assert.equal(readSettings((k) => declaredDefaults[k]).dbPath, DEFAULT_SETTINGS.dbPath);
});

test('the team settings reach the server as AGENTMONITOR_TEAM_URL and _TOKEN only when both are set', () => {
  const both = readSettings((k) => ({ teamServerURL: ' https://team.example.com ', teamToken: 'amt_x' })[k]);
  const env = serverEnv(both, { AGENTMONITOR_TEAM_URL: 'http://stale', PATH: '/bin' });
  assert.equal(env.AGENTMONITOR_TEAM_URL, 'https://team.example.com');
  assert.equal(env.AGENTMONITOR_TEAM_TOKEN, 'amt_x');
  const urlOnly = serverEnv(readSettings((k) => ({ teamServerURL: 'https://team.example.com' })[k]), { AGENTMONITOR_TEAM_URL: 'http://stale', AGENTMONITOR_TEAM_TOKEN: 'old' });
  assert.equal(urlOnly.AGENTMONITOR_TEAM_URL, undefined, "the editor's own environment does not push either");
  assert.equal(urlOnly.AGENTMONITOR_TEAM_TOKEN, undefined);
});
