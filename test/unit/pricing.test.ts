import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { computeCost, costAtPrice, type UsageTokens } from '../../src/core/pricing/cost';
import { normalizeModelName } from '../../src/core/pricing/modelName';
import { parseOverrides, PriceBook, PRICE_TABLE_DATES } from '../../src/core/pricing/priceTables';
import { tmpDir } from '../helpers/tmp';
import { FIXTURES_DIR } from '../helpers/sharedDir';

const zero: UsageTokens = { tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 };
const u = (o: Partial<UsageTokens>): UsageTokens => ({ ...zero, ...o });
const book = new PriceBook();
const cost = (model: string, o: Partial<UsageTokens>) => computeCost(model, u(o), book).cost_usd;
const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} != ${b}`);

describe('model-name normalization', () => {
  const cases: [string, string][] = [
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['openrouter/anthropic/claude-opus-4.1', 'claude-opus-4-1'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
    ['Claude-Haiku-4-5-20251001', 'claude-haiku-4-5'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['openai/gpt-5.1-codex', 'gpt-5.1-codex'],
  ];
  for (const [raw, want] of cases) it(`${raw} → ${want}`, () => assert.equal(normalizeModelName(raw).name, want));

  it('recognizes the -fast suffix', () => {
    assert.deepEqual(normalizeModelName('claude-opus-4-6-fast'), { name: 'claude-opus-4-6', fast: true });
  });
});

describe('price tables', () => {
  it('carry an as-of date per family', () => {
    for (const f of ['claude', 'openai', 'gemini']) assert.match(PRICE_TABLE_DATES[f], /^\d{4}-\d{2}-\d{2}$/);
  });

  it('resolve every spelling of one model to the same price', () => {
    const a = book.resolve('claude-sonnet-4-5-20250929');
    const b = book.resolve('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const c = book.resolve('claude-sonnet-4-5@20250929');
    assert.ok(a && b && c);
    assert.equal(a.key, 'claude-sonnet-4-5');
    assert.equal(b.key, a.key);
    assert.equal(c.key, a.key);
  });

  it('leave unknown models unpriced instead of guessing', () => {
    assert.deepEqual(computeCost('claude-unknown-9', u({ tokens_in: 1000 }), book), { cost_usd: null, priced: false });
    assert.deepEqual(computeCost('gpt-5.4-nano', u({ tokens_in: 1000 }), book), { cost_usd: null, priced: false });
    assert.deepEqual(computeCost(undefined, u({ tokens_in: 1000 }), book), { cost_usd: null, priced: false });
  });
});

describe('cost', () => {
  it('prices Claude input, output, 5m and 1h cache writes and cache reads apart', () => {
    // Sonnet 4.5: 3 / 15 / 3.75 (5m) / 6 (1h) / 0.3 per million (below the 200k tier).
    const k = 100_000;
    close(cost('claude-sonnet-4-5', { tokens_in: k }), 0.3);
    close(cost('claude-sonnet-4-5', { tokens_out: k }), 1.5);
    close(cost('claude-sonnet-4-5', { cache_write_tokens: k }), 0.375);
    close(cost('claude-sonnet-4-5', { cache_write_tokens: k, cache_write_1h_tokens: 40_000 }), (60_000 * 3.75 + 40_000 * 6) / 1e6);
    close(cost('claude-sonnet-4-5', { cache_read_tokens: k }), 0.03);
    close(cost('claude-opus-4-5-20251101', { tokens_in: 1_000_000, tokens_out: 1_000_000 }), 30);
    close(cost('claude-3-5-haiku-20241022', { tokens_in: 1_000_000, cache_read_tokens: 1_000_000 }), 0.88);
  });

  it('bills the tokens of each type past 200k at the above-200k price', () => {
    // 300k cache reads on Sonnet 4.5: 200k × 0.3 + 100k × 0.6; 100k input stays at base price.
    close(cost('claude-sonnet-4-5', { cache_read_tokens: 300_000, tokens_in: 100_000 }), (200_000 * 0.3 + 100_000 * 0.6 + 100_000 * 3) / 1e6);
    close(cost('claude-sonnet-4-20250514', { tokens_out: 250_000 }), (200_000 * 15 + 50_000 * 22.5) / 1e6);
    // Sonnet 4.6 and Opus have no tier.
    close(cost('claude-sonnet-4-6', { cache_read_tokens: 300_000 }), 300_000 * 0.3 / 1e6);
  });

  it('bills Codex cached input as a subset: input − cached at the input price, cached at the cached price', () => {
    // 10k input of which 8k cached arrives as tokens_in 2k + cache_read 8k (event contract).
    close(cost('gpt-5-codex', { tokens_in: 2_000, cache_read_tokens: 8_000, tokens_out: 1_000 }), (2_000 * 1.25 + 8_000 * 0.125 + 1_000 * 10) / 1e6);
    close(cost('gpt-5.4-mini', { tokens_in: 1_000_000, cache_read_tokens: 1_000_000, tokens_out: 1_000_000 }), 0.75 + 0.075 + 4.5);
  });

  it('applies the fast-mode multiplier where the table has one', () => {
    const base = cost('claude-opus-4-6', { tokens_in: 1_000_000 })!;
    close(cost('claude-opus-4-6-fast', { tokens_in: 1_000_000 }), base * 6);
    close(computeCost('claude-opus-4-6', u({ tokens_in: 1_000_000, fast: true }), book).cost_usd, base * 6);
  });

  it("equals Claude Code's own total_cost_usd for the captured run", () => {
    const file = path.join(FIXTURES_DIR, 'captured/claude-json/claude-stdout.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]) as { total_cost_usd: number; modelUsage: Record<string, { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number }> };
    let total = 0;
    for (const [model, m] of Object.entries(result.modelUsage)) {
      total += computeCost(model, u({ tokens_in: m.inputTokens, tokens_out: m.outputTokens, cache_read_tokens: m.cacheReadInputTokens, cache_write_tokens: m.cacheCreationInputTokens }), book).cost_usd!;
    }
    close(total, result.total_cost_usd);
  });
});

describe('overrides', () => {
  it('replace fields of a known model and add new models', () => {
    const b = new PriceBook(parseOverrides('{"claude-sonnet-4-5-20250929": {"input": 2}, "my-local-model": {"input": 1, "output": 2}}'));
    close(computeCost('claude-sonnet-4-5', u({ tokens_in: 100_000, tokens_out: 100_000 }), b).cost_usd, 0.2 + 1.5);
    close(computeCost('my-local-model', u({ tokens_in: 1_000_000, tokens_out: 1_000_000 }), b).cost_usd, 3);
  });

  it('load from a file path, optionally wrapped in {models}', () => {
    const file = path.join(tmpDir(), 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ models: { 'gpt-5': { output: 20 } } }));
    const b = new PriceBook(parseOverrides(file));
    close(computeCost('gpt-5', u({ tokens_out: 1_000_000 }), b).cost_usd, 20);
  });

  it('reject bad input with a message naming the field', () => {
    assert.throws(() => parseOverrides('{"gpt-5": {"input": -1}}'), /gpt-5\.input/);
    assert.throws(() => parseOverrides('{"gpt-5": {"inptu": 1}}'), /gpt-5/);
    assert.throws(() => parseOverrides('{not json'), /AGENTMONITOR_PRICE_OVERRIDES/);
    assert.throws(() => parseOverrides('/nonexistent/prices.json'), /\/nonexistent\/prices\.json/);
    assert.throws(() => new PriceBook(parseOverrides('{"brand-new": {"output": 1}}')), /brand-new/);
  });

  it('costAtPrice defaults missing cache prices sensibly', () => {
    close(costAtPrice({ input: 1, output: 2 }, u({ cache_read_tokens: 1_000_000, cache_write_tokens: 1_000_000, cache_write_1h_tokens: 1_000_000 })), 1 + 2);
  });
});
