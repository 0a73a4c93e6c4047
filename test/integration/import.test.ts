/**
 * Importing real-shaped logs into a real database: token totals against the generator's ground
 * truth, cost against ccusage 20.0.24 and Claude Code's own figure, and the incremental behaviour
 * (idempotency, resume after append, truncation, a torn last line, an enormous line).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { runImport } from '../../src/core/importers/importRunner';
import { silentLogger } from '../../src/core/log';
import { crashCopy } from '../helpers/tmp';
import { openCore, type Core } from '../../src/core/runtime';
import {
  byModel,
  bySession,
  ccusage,
  ccusageBin,
  ccusageClaudeByModel,
  FIXTURES,
  generateLogs,
  importInto,
  openTestCore,
  publicClaudeDir,
  publicCodexDir,
  relDiff,
  scratchDir,
} from './importHelpers';

const TOLERANCE = 1e-4; // 0.01 %

/**
 * Per model, what ccusage's long-context tier adds on claude-sonnet-4(-5): for each request (one per
 * message.id + requestId, the largest line, as ccusage counts), each token type past 200k costs the
 * tier price instead of the base price.
 */
function sonnet4LongContextPremium(dir: string): Record<string, number> {
  const extra = { input_tokens: 3, output_tokens: 7.5, cache_creation_input_tokens: 3.75, cache_read_input_tokens: 0.3 } as const;
  const requests = new Map<string, { model: string; usage: Record<string, number>; total: number }>();
  const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith('.jsonl') ? [path.join(d, e.name)] : []));
  for (const f of files(dir)) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      let o: { requestId?: string; message?: { id?: string; model?: string; usage?: Record<string, number> } };
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      const m = o?.message;
      if (!m?.usage || !m.model?.startsWith('claude-sonnet-4') || !m.id) continue;
      const total = Object.keys(extra).reduce((n, k) => n + (m.usage![k] ?? 0), 0);
      const key = `${m.id}:${o.requestId}`;
      if ((requests.get(key)?.total ?? -1) < total) requests.set(key, { model: m.model, usage: m.usage, total });
    }
  }
  const out: Record<string, number> = {};
  for (const r of requests.values()) {
    for (const [k, perM] of Object.entries(extra)) out[r.model] = (out[r.model] ?? 0) + (Math.max(0, (r.usage[k] ?? 0) - 200_000) * perM) / 1e6;
  }
  return out;
}
const noCcusage = ccusageBin() ? false : 'ccusage 20.0.24 is not installed for this platform';

describe('generated Claude Code logs', () => {
  let core: Core & { dbPath: string };
  let gen: ReturnType<typeof generateLogs>;
  before(async () => {
    gen = generateLogs('claude', 4, 11);
    core = await openTestCore();
    await importInto(core, { claude: [gen.dir] }, true);
  });
  after(() => core.close());

  it('give tokens per model exactly equal to the manifest', async () => {
    const { rows } = await byModel(core);
    const truth = gen.manifest.truth.byModel;
    assert.deepEqual(Object.keys(rows).sort(), Object.keys(truth).sort());
    for (const [model, t] of Object.entries(truth)) {
      const r = rows[model];
      assert.deepEqual(
        [r.tokens_in, r.tokens_out, r.cache_read_tokens, r.cache_write_tokens, r.requests],
        [t.input_tokens, t.output_tokens, t.cache_read_input_tokens, t.cache_creation_input_tokens, t.entries],
        model,
      );
    }
  });

  it('cost within 0.01% of ccusage, per model and in total, but for its long-context tier', { skip: noCcusage }, async () => {
    const { rows, totals } = await byModel(core);
    const cc = ccusage('claude', gen.dir);
    // ccusage (with LiteLLM) bills the tokens of each type past 200k in one claude-sonnet-4(-5)
    // request at 6 / 22.5 / 7.5 / 0.6 per M; Claude Code's own total_cost_usd bills them at the
    // base prices and so do we (test/e2e/agents/longContext.test.ts): that premium is the difference.
    const premium = sonnet4LongContextPremium(gen.dir);
    assert.ok(Object.values(premium).some((p) => p > 0), 'the logs hold requests past 200k tokens');
    let premiumTotal = 0;
    for (const [model, c] of Object.entries(ccusageClaudeByModel(cc))) {
      const expected = c.cost - (premium[model] ?? 0);
      premiumTotal += premium[model] ?? 0;
      assert.ok(relDiff(rows[model].cost_usd, expected) < TOLERANCE, `${model}: ours ${rows[model].cost_usd}, ccusage ${c.cost} less its long-context premium ${premium[model] ?? 0}`);
    }
    assert.ok(relDiff(totals.cost_usd, cc.totals.totalCost - premiumTotal) < TOLERANCE, `ours ${totals.cost_usd}, ccusage ${cc.totals.totalCost}`);
  });
});

describe('generated Codex logs', () => {
  let core: Core;
  let gen: ReturnType<typeof generateLogs>;
  before(async () => {
    gen = generateLogs('codex', 4, 12);
    core = await openTestCore();
    await importInto(core, { codex: [gen.dir] }, false);
  });
  after(() => core.close());

  it('give tokens per model exactly equal to the manifest (cached input split off input)', async () => {
    const { rows } = await byModel(core);
    const truth = gen.manifest.truth.byModel;
    assert.deepEqual(Object.keys(rows).sort(), Object.keys(truth).sort());
    for (const [model, t] of Object.entries(truth)) {
      const r = rows[model];
      assert.deepEqual(
        [r.tokens_in, r.cache_read_tokens, r.tokens_out, r.requests],
        [t.input_tokens - t.cached_input_tokens, t.cached_input_tokens, t.output_tokens, t.events],
        model,
      );
    }
  });

  it('import the same with the parse worker thread as in-process', async () => {
    const other = await openTestCore();
    try {
      const s = await importInto(other, { codex: [gen.dir] }, true);
      assert.ok(s.files > 1);
      assert.deepEqual((await byModel(other)).rows, (await byModel(core)).rows);
    } finally {
      await other.close();
    }
  });

  it('cost within 0.01% of ccusage', { skip: noCcusage }, async () => {
    const { totals } = await byModel(core);
    const cc = ccusage('codex', gen.dir);
    assert.ok(relDiff(totals.cost_usd, cc.totals.costUSD) < TOLERANCE, `ours ${totals.cost_usd}, ccusage ${cc.totals.costUSD}`);
  });
});

describe('public and captured fixtures', () => {
  it('Claude transcripts: tokens equal and cost within 0.01% of ccusage per model', { skip: noCcusage }, async () => {
    const dir = publicClaudeDir();
    const core = await openTestCore();
    try {
      const s = await importInto(core, { claude: [dir] });
      assert.equal(s.skipped_lines, 0);
      const { rows } = await byModel(core);
      const cc = ccusageClaudeByModel(ccusage('claude', dir, 'session'));
      assert.deepEqual(Object.keys(rows).sort(), Object.keys(cc).sort());
      for (const [model, c] of Object.entries(cc)) {
        const r = rows[model];
        assert.deepEqual([r.tokens_in, r.tokens_out, r.cache_read_tokens, r.cache_write_tokens], [c.in, c.out, c.cr, c.cw], model);
        assert.ok(relDiff(r.cost_usd, c.cost) < TOLERANCE, `${model}: ours ${r.cost_usd}, ccusage ${c.cost}`);
      }
    } finally {
      await core.close();
    }
  });

  it('Codex rollouts: tokens equal and cost within 0.01% of ccusage per session', { skip: noCcusage }, async () => {
    const dir = publicCodexDir();
    const core = await openTestCore();
    try {
      await importInto(core, { codex: [dir] });
      const sessions = await bySession(core);
      const cc = ccusage('codex', dir, 'session') as { sessions: { sessionFile: string; inputTokens: number; cacheReadTokens: number; outputTokens: number; costUSD: number }[] };
      assert.equal(cc.sessions.length, Object.keys(sessions).length);
      for (const c of cc.sessions) {
        const id = /([0-9a-f-]{36})$/.exec(c.sessionFile)![1];
        const r = sessions[id];
        assert.ok(r, `session ${id} imported`);
        assert.deepEqual([r.tokens_in, r.cache_read_tokens, r.tokens_out], [c.inputTokens, c.cacheReadTokens, c.outputTokens], id);
        assert.ok(relDiff(r.cost_usd, c.costUSD) < TOLERANCE, `${id}: ours ${r.cost_usd}, ccusage ${c.costUSD}`);
      }
    } finally {
      await core.close();
    }
  });

  it("captured Claude Code run: the session's cost equals Claude Code's own total_cost_usd", async () => {
    const core = await openTestCore();
    try {
      await importInto(core, { claude: [path.join(FIXTURES, 'captured/claude-json/claude-config')] });
      const lines = fs.readFileSync(path.join(FIXTURES, 'captured/claude-json/claude-stdout.jsonl'), 'utf8').trim().split('\n');
      const result = JSON.parse(lines[lines.length - 1]) as { session_id: string; total_cost_usd: number };
      const sessions = await bySession(core);
      assert.deepEqual(Object.keys(sessions), [result.session_id], 'the subagent counts in its parent session');
      assert.ok(Math.abs(sessions[result.session_id].cost_usd - result.total_cost_usd) < 1e-9, `${sessions[result.session_id].cost_usd} vs ${result.total_cost_usd}`);
      const tools = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
      const read = tools.tools.find((t) => t.tool_name === 'Read');
      assert.deepEqual(read && [read.calls, read.errors], [2, 1], 'two Reads, one of a missing file');
    } finally {
      await core.close();
    }
  });
});

describe('incremental import', () => {
  const SID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  // Each line is one response with text: two events, its llm_request and its response (the text).
  const line = (i: number, out = 10) =>
    JSON.stringify({
      type: 'assistant',
      sessionId: SID,
      cwd: '/p',
      timestamp: new Date(Date.UTC(2025, 9, 1, 10, 0, i)).toISOString(),
      requestId: `req_${i}`,
      message: { id: `msg_${i}`, model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 't' }], usage: { input_tokens: 100, output_tokens: out, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
    }) + '\n';
  const setup = () => {
    const root = scratchDir();
    const file = path.join(root, 'projects', '-p', `${SID}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return { root, file };
  };
  const tokens = async (core: Core) => (await byModel(core)).totals;

  it('is idempotent: the same logs twice add nothing, even when re-read in full', async () => {
    const { root, file } = setup();
    fs.writeFileSync(file, [1, 2, 3].map((i) => line(i)).join(''));
    const core = await openTestCore();
    try {
      const first = await importInto(core, { claude: [root] });
      assert.equal(first.events, 6);
      const again = await importInto(core, { claude: [root] });
      assert.deepEqual([again.events, again.files_skipped_unchanged], [0, 1]);
      await core.store.query('clearImportState', {});
      const reread = await importInto(core, { claude: [root] });
      assert.deepEqual([reread.events, reread.duplicates], [0, 6]);
      assert.equal((await tokens(core)).tokens_in, 300);
    } finally {
      await core.close();
    }
  });

  it('resumes after an append, reading only the new lines', async () => {
    const { root, file } = setup();
    fs.writeFileSync(file, line(1) + line(2));
    const core = await openTestCore();
    try {
      await importInto(core, { claude: [root] });
      fs.appendFileSync(file, line(3) + line(4));
      const s = await importInto(core, { claude: [root] });
      assert.deepEqual([s.lines, s.events, s.duplicates], [2, 4, 0]);
      assert.equal((await tokens(core)).tokens_in, 400);
    } finally {
      await core.close();
    }
  });

  it('re-reads a truncated or replaced file from the start', async () => {
    const { root, file } = setup();
    fs.writeFileSync(file, line(1) + line(2) + line(3));
    const core = await openTestCore();
    try {
      await importInto(core, { claude: [root] });
      fs.writeFileSync(file, line(7));
      const s = await importInto(core, { claude: [root] });
      assert.deepEqual([s.lines, s.events], [1, 2]);
      fs.writeFileSync(file, line(8) + line(9) + line(10) + line(11));
      const r = await importInto(core, { claude: [root] });
      assert.deepEqual([r.lines, r.events], [4, 8], 'same head length, different content: replaced');
      assert.equal((await tokens(core)).tokens_in, 800);
    } finally {
      await core.close();
    }
  });

  it('leaves a torn last line for the next pass', async () => {
    const { root, file } = setup();
    const full = line(2, 55);
    fs.writeFileSync(file, line(1) + full.slice(0, 40));
    const core = await openTestCore();
    try {
      const s = await importInto(core, { claude: [root] });
      assert.deepEqual([s.events, s.skipped_lines], [2, 0]);
      fs.appendFileSync(file, full.slice(40));
      const r = await importInto(core, { claude: [root] });
      assert.deepEqual([r.events, r.skipped_lines], [2, 0]);
      assert.equal((await tokens(core)).tokens_out, 65);
    } finally {
      await core.close();
    }
  });

  it('survives a 50 MB single line and keeps the lines around it', async () => {
    const { root, file } = setup();
    const huge = JSON.stringify({
      type: 'user',
      sessionId: SID,
      timestamp: '2025-10-01T10:00:01.500Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_big', content: 'y'.repeat(50 * 1024 * 1024) }] },
    });
    const toolUse = JSON.parse(line(1)) as { message: { content: unknown[] } };
    toolUse.message.content = [{ type: 'tool_use', id: 'toolu_big', name: 'Read', input: { file_path: '/big' } }];
    fs.writeFileSync(file, JSON.stringify(toolUse) + '\n' + huge + '\n' + line(2));
    const core = await openTestCore();
    try {
      const s = await importInto(core, { claude: [root] });
      assert.equal(s.skipped_lines, 0);
      assert.equal((await tokens(core)).tokens_in, 200);
      const page = await core.store.query('listEvents', { filter: { event_type: ['tool_use'] }, limit: 10 });
      const ev = page.events;
      assert.deepEqual(ev.map((e) => [e.tool_name, e.status, e.duration_ms]), [['Read', 'success', 500]]);
    } finally {
      await core.close();
    }
  });
});

describe('durability of an import', () => {
  const journalBytes = (dbPath: string): number =>
    fs
      .readdirSync(path.dirname(dbPath))
      .filter((f) => f.startsWith(`${path.basename(dbPath)}.journal-`))
      .reduce((n, f) => n + fs.statSync(path.join(path.dirname(dbPath), f)).size, 0);

  it('with a snapshot to persist it, skips the journal and is on disk when the summary comes back', async () => {
    const gen = generateLogs('claude', 1, 5);
    const core = await openTestCore();
    try {
      const summary = await runImport({ store: core.store, ingest: core.ingest, persist: () => core.store.snapshot() }, { importId: 't', claudeDirs: [gen.dir], codexDirs: [] });
      assert.ok(summary.events > 100);
      assert.equal(journalBytes(core.dbPath), 0, 'no imported event was journaled');
      const crashed = await openCore({ config: loadConfig({ HOME: scratchDir() } as NodeJS.ProcessEnv, { dbPath: crashCopy(core.dbPath) }), log: silentLogger });
      try {
        const stored = await crashed.store.query('listImportState', {});
        assert.equal(stored.length, summary.files, 'every file offset is on disk');
        const { totals } = await byModel(crashed);
        const { totals: live } = await byModel(core);
        assert.equal(totals.tokens_in, live.tokens_in);
        assert.equal(totals.requests, live.requests);
        // Importing again after the "crash" adds nothing.
        const again = await runImport({ store: crashed.store, ingest: crashed.ingest }, { importId: 't2', claudeDirs: [gen.dir], codexDirs: [] });
        assert.equal(again.events, 0);
        assert.equal(again.files_skipped_unchanged, summary.files);
      } finally {
        await crashed.close();
      }
    } finally {
      await core.close();
    }
  });

  it('without one, journals every batch before it is stored', async () => {
    const gen = generateLogs('claude', 1, 6);
    const core = await openTestCore();
    try {
      const summary = await runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [gen.dir], codexDirs: [] });
      assert.ok(summary.events > 100);
      assert.ok(journalBytes(core.dbPath) > 0);
      const crashed = await openCore({ config: loadConfig({ HOME: scratchDir() } as NodeJS.ProcessEnv, { dbPath: crashCopy(core.dbPath) }), log: silentLogger });
      try {
        const { totals } = await byModel(crashed);
        const { totals: live } = await byModel(core);
        assert.equal(totals.requests, live.requests, 'the journal replays the import');
      } finally {
        await crashed.close();
      }
    } finally {
      await core.close();
    }
  });
});
