/**
 * Price overrides from the environment (`AGENTMONITOR_PRICE_OVERRIDES`) are parsed and checked on
 * the main thread and reach the threads that price as plain data: the parse worker of an import
 * (`RecordOptions.prices`) and the store worker's `recalcCosts` (which loads no schema library).
 * A CLI import, an import through `serve` and a `recalc` there give the same costs, and not the
 * tables' own.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, spawnServe, stopServe } from '../helpers/serveProcess';
import { openSse } from '../helpers/sse';
import { generateLogs, scratchDir } from './importHelpers';

const OVERRIDES = JSON.stringify({ 'gpt-5-codex': { input: 7, output: 70 }, 'gpt-5': { input: 3 } });

interface CostAnswer {
  totals: { cost_usd: number; tokens_in: number };
  rows: { key: string; cost_usd: number }[];
}

async function cliImportCost(logs: string, env: NodeJS.ProcessEnv): Promise<CostAnswer> {
  const dir = scratchDir();
  const db = path.join(dir, 'agentmonitor.db');
  const e = { ...env, HOME: dir };
  const imported = await runCli(['import', '--codex-dir', logs, '--db', db, '--json', '--quiet'], e);
  assert.equal(imported.code, 0, imported.stderr);
  const report = await runCli(['report', '--db', db, '--json', '--tz', 'UTC', '--by', 'model'], e);
  assert.equal(report.code, 0, report.stderr);
  return JSON.parse(report.stdout) as CostAnswer;
}

const byModel = (a: CostAnswer) => Object.fromEntries(a.rows.map((r) => [r.key, r.cost_usd.toFixed(9)]));

describe('price overrides from the environment', () => {
  it('price a CLI import, an import through serve and a recalc there the same', async () => {
    const logs = generateLogs('codex', 1, 31).dir;
    const env = { AGENTMONITOR_PRICE_OVERRIDES: OVERRIDES };
    const tables = await cliImportCost(logs, { AGENTMONITOR_PRICE_OVERRIDES: '' });
    const cli = await cliImportCost(logs, env);
    assert.equal(cli.totals.tokens_in, tables.totals.tokens_in);
    assert.notEqual(byModel(cli)['gpt-5-codex'], byModel(tables)['gpt-5-codex'], 'the override changes the cost');
    assert.notEqual(byModel(cli)['gpt-5'], byModel(tables)['gpt-5']);

    const dir = scratchDir();
    // The folder it may import: its configured Codex home.
    const serve = await spawnServe(path.join(dir, 'agentmonitor.db'), [], { ...env, HOME: dir, CODEX_HOME: logs });
    try {
      const sse = await openSse(`${serve.url}/api/stream`);
      try {
        const r = await fetch(`${serve.url}/api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codex_dirs: [logs] }) });
        assert.equal(r.status, 202);
        const { import_id } = (await r.json()) as { import_id: string };
        await sse.waitFor('import_done', (m) => m.summary.import_id === import_id, 120_000);
      } finally {
        sse.close();
      }
      const cost = async () => (await (await fetch(`${serve.url}/api/stats/cost?by=model&tz=UTC&since=2000-01-01T00:00:00.001Z`)).json()) as CostAnswer;
      assert.deepEqual(byModel(await cost()), byModel(cli));
      const recalc = await fetch(`${serve.url}/api/recalc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(recalc.status, 200);
      assert.deepEqual(byModel(await cost()), byModel(cli));
    } finally {
      await stopServe(serve);
    }
  });
});
