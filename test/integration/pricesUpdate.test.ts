/**
 * `agentmonitor prices update|remove` (issue 16): a LiteLLM-format table from a loopback HTTP server
 * or a file, stored beside the database with its date, re-prices stored usage (through the live
 * server, or the file when none runs) and prices new usage; the bundled tables come back on remove.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Stats } from '../../src/core/contracts/api';
import type { EventInputRaw } from '../../src/core/contracts/events';
import { priceUpdatePath, pricesFromLiteLlm } from '../../src/core/pricing/priceUpdate';
import { startTestServer, type TestServer } from '../helpers/server';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const cli = (args: string[]) => runCli(args, { AGENTMONITOR_PRICE_OVERRIDES: '' });

/** A LiteLLM-format table: what the update must take, and entries it must leave alone. */
const TABLE = {
  sample_spec: { litellm_provider: 'one of https://docs.litellm.ai/docs/providers', input_cost_per_token: 0, output_cost_per_token: 0 },
  'claude-sonnet-4-5': {
    litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 4e-6, output_cost_per_token: 2e-5, cache_read_input_token_cost: 4e-7,
    cache_creation_input_token_cost: 5e-6, cache_creation_input_token_cost_above_1hr: 8e-6, input_cost_per_token_above_200k_tokens: 8e-6,
    provider_specific_entry: { us: 1.1 },
  },
  'claude-sonnet-4-5-20250929': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 9e-6, output_cost_per_token: 9e-5 },
  'gpt-9-imaginary': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, cache_read_input_token_cost: 1e-7 },
  'bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0': { litellm_provider: 'bedrock', mode: 'chat', input_cost_per_token: 7e-6, output_cost_per_token: 7e-5 },
  'gpt-image-9': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_token: 5e-6, output_cost_per_token: 1e-5 },
};

async function serveTable(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/model_prices_and_context_window.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(TABLE));
    else res.writeHead(404).end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const usage = (session: string, model: string, over: Partial<EventInputRaw> = {}): EventInputRaw => ({
  session_id: session, agent_type: 'claude-code', event_type: 'llm_request', model, tokens_in: 1_000_000, client_timestamp: '2026-11-20T10:00:00Z', ...over,
});

async function totalCost(s: TestServer): Promise<number> {
  const r = await s.get<Stats>('/api/stats');
  return Math.round(r.body.total.cost_usd * 1e6) / 1e6;
}

test('the converter takes the direct APIs\' chat models, undated keys first, and no long-context tier for Claude', () => {
  const { models } = pricesFromLiteLlm(TABLE);
  assert.deepEqual(Object.keys(models).sort(), ['claude-sonnet-4-5', 'gpt-9-imaginary']);
  assert.deepEqual(models['claude-sonnet-4-5'], {
    family: 'claude',
    price: { input: 4, output: 20, cache_read: 0.4, cache_write_5m: 5, cache_write_1h: 8 },
  });
  assert.deepEqual(models['gpt-9-imaginary'].price, { input: 1, output: 2, cache_read: 0.1 });
  assert.throws(() => pricesFromLiteLlm([]), /JSON object of model entries/);
  assert.throws(() => pricesFromLiteLlm({ x: { litellm_provider: 'bedrock', input_cost_per_token: 1 } }), /input_cost_per_token and output_cost_per_token/);
});

test('prices update from a loopback URL re-prices through the live server and prices new usage; remove goes back', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'prices.db');
  const table = await serveTable();
  const s = await startTestServer({ dbPath }, { dir });
  const posted = await s.post('/api/events/batch', [
    usage('p1', 'claude-sonnet-4-5-20250929'), // bundled: $3
    usage('p1', 'gpt-9-imaginary'), // unpriced
    usage('p2', 'claude-sonnet-4-5', { cost_usd: 5 }), // the agent's cost stays
  ]);
  assert.equal(posted.status, 201);
  assert.equal(await totalCost(s), 8);

  const up = await cli(['prices', 'update', '--from', `${table.url}/model_prices_and_context_window.json`, '--db', dbPath, '--json']);
  assert.equal(up.code, 0, up.stderr);
  const summary = JSON.parse(up.stdout);
  assert.equal(summary.models, 2);
  assert.equal(summary.file, priceUpdatePath(dbPath));
  assert.equal(summary.as_of, new Date().toISOString().slice(0, 10));
  assert.equal(summary.repriced.changed, 2, `re-priced through the live server: ${up.stdout} ${up.stderr}`);
  const stored = JSON.parse(fs.readFileSync(priceUpdatePath(dbPath), 'utf8'));
  assert.equal(stored.source, `${table.url}/model_prices_and_context_window.json`);
  assert.match(stored.fetched_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.equal(await totalCost(s), 4 + 1 + 5);

  assert.equal((await s.post('/api/events/batch', [usage('p3', 'gpt-9-imaginary')])).status, 201);
  assert.equal(await totalCost(s), 11, 'new usage is priced with the update');
  await s.close();

  const removed = await cli(['prices', 'remove', '--db', dbPath]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /bundled price tables apply/);
  assert.ok(!fs.existsSync(priceUpdatePath(dbPath)));
  const s2 = await startTestServer({ dbPath }, { dir });
  assert.equal(await totalCost(s2), 3 + 5, 'bundled prices again; the imaginary model is unpriced');
  await s2.close();
  await table.close();
});

test('prices update from a file with no server re-prices the database; a restarted server keeps the update', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'prices.db');
  const s = await startTestServer({ dbPath }, { dir });
  assert.equal((await s.post('/api/events/batch', [usage('f1', 'gpt-9-imaginary')])).status, 201);
  await s.close();
  const file = path.join(dir, 'litellm.json');
  fs.writeFileSync(file, JSON.stringify(TABLE));
  const up = await cli(['prices', 'update', '--from', file, '--db', dbPath]);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^Stored prices of 2 models from .*litellm\.json \(as of \d{4}-\d{2}-\d{2}\) in .*prices\.db\.prices\.json$/m);
  assert.match(up.stdout, /^Re-priced 1 usage events: 1 changed, 1 priced, 0 without a price$/m);
  const s2 = await startTestServer({ dbPath }, { dir });
  assert.equal(await totalCost(s2), 1);
  assert.equal((await s2.post('/api/events/batch', [usage('f2', 'claude-sonnet-4-5')])).status, 201);
  assert.equal(await totalCost(s2), 5, 'the server loaded the update at start');
  await s2.close();
});

test('prices update refuses what it cannot use and keeps the stored update', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'prices.db');
  const table = await serveTable();
  const missing = await cli(['prices', 'update', '--from', `${table.url}/nothing.json`, '--db', dbPath]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nothing\.json answered 404/);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"claude-sonnet-4-5": ');
  const notJson = await cli(['prices', 'update', '--from', bad, '--db', dbPath]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /could not read a price table from .*bad\.json/);
  const empty = path.join(dir, 'empty.json');
  fs.writeFileSync(empty, JSON.stringify({ 'gpt-image-9': TABLE['gpt-image-9'] }));
  const none = await cli(['prices', 'update', '--from', empty, '--db', dbPath]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no chat model .* input_cost_per_token and output_cost_per_token/);
  assert.ok(!fs.existsSync(priceUpdatePath(dbPath)), 'nothing stored');
  const noAction = await cli(['prices', '--db', dbPath]);
  assert.equal(noAction.code, 2);
  assert.match(noAction.stderr, /update or remove/);
  await table.close();
});
