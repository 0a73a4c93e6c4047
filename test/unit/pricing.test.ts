import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { computeCost, costAtPrice, type UsageTokens } from '../../src/core/pricing/cost';
import { normalizeModelName } from '../../src/core/pricing/modelName';
import { PriceBook, PRICE_TABLE_DATES, TABLES } from '../../src/core/pricing/priceBook';
import { checkedPriceBook, ModelPriceSchema, parseOverrides } from '../../src/core/pricing/priceTables';
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

  it('hold only prices the schema accepts (the store worker takes them unchecked)', () => {
    for (const t of TABLES) for (const [model, v] of Object.entries(t.models)) assert.ok(ModelPriceSchema.safeParse(v).success, `${t.family} ${model}`);
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
    assert.deepEqual(computeCost('gpt-9-imaginary', u({ tokens_in: 1000 }), book), { cost_usd: null, priced: false });
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

  it('bills Claude requests over 200k tokens at the base prices, as Claude Code does (not as ccusage does)', () => {
    // Claude Code 2.1.197 against the e2e fake API (test/e2e/agents/longContext.test.ts), 6 requests of
    // 250k input + 1k output each: total_cost_usd 4.59 for claude-sonnet-4-5, -4-5[1m] and claude-sonnet-4;
    // 1 request on claude-opus-4-6: 1.275.
    const req = { tokens_in: 250_000, tokens_out: 1_000 };
    close(6 * cost('claude-sonnet-4-5-20250929', req)!, 4.59);
    close(6 * cost('claude-sonnet-4-5-20250929[1m]', req)!, 4.59);
    close(6 * cost('claude-sonnet-4-20250514', req)!, 4.59);
    close(cost('claude-opus-4-6', req), 1.275);
    close(cost('claude-sonnet-4-6', { cache_read_tokens: 300_000 }), (300_000 * 0.3) / 1e6);
    // ccusage (LiteLLM's *_above_200k_tokens for the part of each type past 200k) says 5.49 for that run.
    const ccusageRule = { input: 3, output: 15, cache_read: 0.3, above_200k: { input: 6, output: 22.5, cache_read: 0.6 } };
    close(6 * costAtPrice(ccusageRule, u(req)), 5.49);
  });

  it('bills the tokens of each type past 200k at the above-200k price where a table has that tier', () => {
    // Gemini 2.5 Pro: 300k input = 200k × 1.25 + 100k × 2.5.
    close(cost('gemini-2.5-pro', { tokens_in: 300_000 }), (200_000 * 1.25 + 100_000 * 2.5) / 1e6);
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
    // LiteLLM (commit 00035b69f416) provider_specific_entry.fast: opus-4-7 6.0, opus-4-8 2.0; both $5/M input.
    close(cost('claude-opus-4-7-fast', { tokens_in: 1_000_000 }), 5 * 6);
    close(computeCost('claude-opus-4-7-20260416', u({ tokens_in: 1_000_000, fast: true }), book).cost_usd, 5 * 6);
    close(cost('claude-opus-4-8-fast', { tokens_in: 1_000_000 }), 5 * 2);
    close(computeCost('claude-opus-4-8', u({ tokens_out: 1_000_000, fast: true }), book).cost_usd, 25 * 2);
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

describe('prices from LiteLLM (model_prices_and_context_window.json, BerriAI/litellm commit 00035b69f416be24e2e323c13198d9b7d2d1bdf9)', () => {
  // [model as an agent reports it, input, output, cache read, 5m cache write, 1h cache write] USD per million,
  // each read off that file's entry for the model (per-token costs × 1e6).
  const M = 1_000_000;
  const table: [string, number, number, number, number?, number?][] = [
    ['claude-sonnet-5', 2, 10, 0.2, 2.5, 4],
    ['claude-fable-5', 10, 50, 1, 12.5, 20],
    ['claude-3-opus-20240229', 15, 75, 1.5, 18.75],
    ['codex-mini-latest', 1.5, 6, 0.375],
    ['gpt-5.5', 5, 30, 0.5],
    ['gpt-5.5-2026-04-23', 5, 30, 0.5],
    ['gpt-5.6', 5, 30, 0.5, 6.25],
    ['gpt-5.6-sol', 5, 30, 0.5, 6.25],
    ['gpt-5.6-terra', 2.5, 15, 0.25, 3.125],
    ['gpt-5.6-luna', 1, 6, 0.1, 1.25],
    ['gpt-5-pro', 15, 120, 15],
    ['gpt-5.2-pro', 21, 168, 21],
    ['gpt-5.4-pro', 30, 180, 3],
    ['gpt-5.5-pro', 30, 180, 3],
    ['gpt-5.4-nano', 0.2, 1.25, 0.02],
    ['gpt-5-chat-latest', 1.25, 10, 0.125],
    ['gpt-5.1-chat-latest', 1.25, 10, 0.125],
    ['gpt-5.2-chat-latest', 1.75, 14, 0.175],
    ['gpt-5.3-chat-latest', 1.75, 14, 0.175],
    ['gpt-4.1', 2, 8, 0.5],
    ['gpt-4.1-mini-2025-04-14', 0.4, 1.6, 0.1],
    ['gpt-4.1-nano', 0.1, 0.4, 0.025],
    ['o3', 2, 8, 0.5],
    ['o4-mini-2025-04-16', 1.1, 4.4, 0.275],
    ['gemini-2.0-flash', 0.1, 0.4, 0.025],
    ['gemini-2.0-flash-lite', 0.075, 0.3, 0.01875],
    ['gemini-3-flash-preview', 0.5, 3, 0.05],
    ['gemini-3.1-pro-preview', 2, 12, 0.2],
    ['gemini-3.1-flash-lite', 0.25, 1.5, 0.025],
    ['gemini-3.5-flash', 1.5, 9, 0.15],
    ['gemini-flash-latest', 0.3, 2.5, 0.03],
    ['gemini-flash-lite-latest', 0.1, 0.4, 0.01],
    ['gemini-pro-latest', 1.25, 10, 0.125],
  ];
  for (const [model, input, output, read, w5, w1] of table) {
    // 100k tokens of each type: below every above-200k tier.
    const n = 100_000;
    it(`${model}: ${input} / ${output} / ${read} per M`, () => {
      close(cost(model, { tokens_in: n }), (input * n) / M);
      close(cost(model, { tokens_out: n }), (output * n) / M);
      close(cost(model, { cache_read_tokens: n }), (read * n) / M);
      if (w5 !== undefined) close(cost(model, { cache_write_tokens: n }), (w5 * n) / M);
      if (w1 !== undefined) close(cost(model, { cache_write_tokens: n, cache_write_1h_tokens: n }), (w1 * n) / M);
    });
  }

  // Absent from that commit; LiteLLM's file as synced on 2026-07-24 (LiteLLM commit 86135fc6) lists them.
  it('claude-opus-5: 5 / 25 / 0.5, 6.25 (5m), 10 (1h), fast × 2; claude-mythos-5: 10 / 50 / 1, 12.5, 20, fast × 6', () => {
    close(cost('claude-opus-5', { tokens_in: 100_000, tokens_out: 100_000, cache_read_tokens: 100_000 }), (5 + 25 + 0.5) / 10);
    close(cost('claude-opus-5-fast', { cache_write_tokens: 100_000, cache_write_1h_tokens: 100_000 }), (10 / 10) * 2);
    close(cost('claude-mythos-5', { tokens_in: 100_000, tokens_out: 100_000, cache_read_tokens: 100_000, cache_write_tokens: 100_000 }), (10 + 50 + 1 + 12.5) / 10);
    close(computeCost('claude-mythos-5', u({ tokens_out: 1_000_000, fast: true }), book).cost_usd, 50 * 6);
  });

  it('models LiteLLM does not list stay unpriced (never guessed from a sibling)', () => {
    for (const m of ['claude-fable-5-1', 'claude-mythos-5-1', 'claude-mythos-5-preview', 'gpt-6-astra']) {
      assert.deepEqual(computeCost(m, u({ tokens_in: 1000 }), book), { cost_usd: null, priced: false }, m);
    }
  });

  it('gemini-3.1-pro-preview bills past 200k at 4 / 18 / 0.4 (LiteLLM *_above_200k_tokens)', () => {
    close(cost('gemini-3.1-pro-preview', { tokens_in: 300_000 }), (200_000 * 2 + 100_000 * 4) / M);
  });
});

describe('overrides', () => {
  it('replace fields of a known model and add new models', () => {
    const b = checkedPriceBook(parseOverrides('{"claude-sonnet-4-5-20250929": {"input": 2}, "my-local-model": {"input": 1, "output": 2}}'));
    close(computeCost('claude-sonnet-4-5', u({ tokens_in: 100_000, tokens_out: 100_000 }), b).cost_usd, 0.2 + 1.5);
    close(computeCost('my-local-model', u({ tokens_in: 1_000_000, tokens_out: 1_000_000 }), b).cost_usd, 3);
  });

  it('load from a file path, optionally wrapped in {models}', () => {
    const file = path.join(tmpDir(), 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ models: { 'gpt-5': { output: 20 } } }));
    const b = checkedPriceBook(parseOverrides(file));
    close(computeCost('gpt-5', u({ tokens_out: 1_000_000 }), b).cost_usd, 20);
  });

  it('reject bad input with a message naming the field', () => {
    assert.throws(() => parseOverrides('{"gpt-5": {"input": -1}}'), /gpt-5\.input/);
    assert.throws(() => parseOverrides('{"gpt-5": {"inptu": 1}}'), /gpt-5/);
    assert.throws(() => parseOverrides('{not json'), /AGENTMONITOR_PRICE_OVERRIDES/);
    assert.throws(() => parseOverrides('/nonexistent/prices.json'), /\/nonexistent\/prices\.json/);
    assert.throws(() => checkedPriceBook(parseOverrides('{"brand-new": {"output": 1}}')), /brand-new/);
  });

  it('costAtPrice defaults missing cache prices sensibly', () => {
    close(costAtPrice({ input: 1, output: 2 }, u({ cache_read_tokens: 1_000_000, cache_write_tokens: 1_000_000, cache_write_1h_tokens: 1_000_000 })), 1 + 2);
  });
});
