/**
 * Long context (issue 16): the real Claude Code prices requests of more than 200k tokens itself
 * (`total_cost_usd`); our price tables must give the same number. The fake model API answers every
 * request with the usage given here, so Claude Code's total and ours are computed from the same
 * tokens.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeCost } from '../../../src/core/pricing/cost';
import { PriceBook } from '../../../src/core/pricing/priceBook';
import { claudeEnv, findAgentBinaries, makeProject, parseJsonLines, runProcess, type ClaudeResultLine } from './agentProcess';
import { startFakeModelApi, type AnthropicUsage } from './fakeModelApi';

const bins = findAgentBinaries();
const missingCli = typeof bins === 'string' ? bins : false;

/** Over 200k in one token type, and over 200k in the whole prompt with no single type over it. */
const USAGES: AnthropicUsage[] = [
  { input_tokens: 250_000, output_tokens: 1_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  { input_tokens: 150_000, output_tokens: 1_000, cache_creation_input_tokens: 120_000, cache_read_input_tokens: 80_000 },
];
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929[1m]', 'claude-opus-4-6'];

describe('long-context requests cost what Claude Code says they cost', { skip: missingCli }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-longctx-'));
  let project = '';
  before(async () => {
    project = await makeProject(path.join(dir, 'project'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const model of MODELS) {
    for (const [i, usage] of USAGES.entries()) {
      test(`${model}, usage ${i + 1}: our cost equals total_cost_usd`, async () => {
        const home = fs.mkdtempSync(path.join(dir, 'home-'));
        fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
        const api = await startFakeModelApi({ claudeUsage: () => usage });
        try {
          const args = ['-p', 'list the files', '--model', model, '--allowedTools', 'Bash,Read,Glob,Grep,Agent,Task', '--output-format', 'stream-json', '--verbose'];
          const r = await runProcess((bins as { claude: string }).claude, args, { cwd: project, env: claudeEnv({ home, apiUrl: api.url }), timeoutMs: 90_000 });
          const result = parseJsonLines(r.stdout).find((l) => l.type === 'result') as ClaudeResultLine | undefined;
          assert.ok(result, `no result line (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
          assert.ok(api.claudeReplies.length > 0);
          const book = new PriceBook();
          let ours = 0;
          for (const reply of api.claudeReplies) {
            const u = reply.usage;
            const c = computeCost(reply.model, {
              tokens_in: u.input_tokens, tokens_out: u.output_tokens, cache_read_tokens: u.cache_read_input_tokens,
              cache_write_tokens: u.cache_creation_input_tokens, cache_write_1h_tokens: 0, reasoning_tokens: 0,
            }, book);
            assert.ok(c.priced, `${reply.model} is priced`);
            ours += c.cost_usd!;
          }
          assert.ok(Math.abs(ours - result.total_cost_usd) < 1e-9, `${model}: ours ${ours} != Claude Code ${result.total_cost_usd} over ${api.claudeReplies.length} requests`);
        } finally {
          await api.close();
        }
      });
    }
  }
});
