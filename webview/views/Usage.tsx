import type { ComponentChildren } from 'preact';
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { RateLimitInfo, UsageProvider } from '../../src/core/contracts/api';
import { useApp } from '../components/appContext';
import { Chart } from '../components/Chart';
import { useApi } from '../components/useApi';
import { ErrorNote, Loading, Metric, Section, UnpricedNote } from '../components/ui';
import { localTimeZone } from '../data/appState';
import { VSCODE_SETTINGS } from '../lib/vscodeHost';
import { formatClock, formatDateTime, formatDuration, formatInt, formatTokens, formatUsd, formatUsdTicks, totalTokens } from '../lib/format';

function Meter(p: { label: string; value: number; max: number; text: string; testId?: string; low?: number; high?: number; badge?: ComponentChildren; class?: string; level?: string }) {
  const high = p.high ?? p.max * 0.8;
  return (
    <div class={`meter-row${p.class ? ` ${p.class}` : ''}`} data-testid={p.testId} data-level={p.level}>
      <span class="meter-label">
        {p.label} {p.badge}
      </span>
      <meter min={0} max={p.max} low={p.low ?? p.max * 0.5} high={high} optimum={0} value={Math.min(p.value, p.max)} aria-label={p.label} />
      <span class="meter-text">{p.text}</span>
    </div>
  );
}

/** Rate-limit warnings apply to fresh readings only: a stale one says nothing about now. */
export const RATE_WARN_PERCENT = 80;
export const RATE_CRITICAL_PERCENT = 95;

export type RateLevel = 'stale' | 'critical' | 'warning' | 'ok';

/** How a rate-limit reading is drawn: stale (greyed, "as of"), else warning at 80% and critical at 95%. */
export function rateLimitLevel(r: Pick<RateLimitInfo, 'used_percent' | 'stale'>): RateLevel {
  if (r.stale) return 'stale';
  if (r.used_percent >= RATE_CRITICAL_PERCENT) return 'critical';
  if (r.used_percent >= RATE_WARN_PERCENT) return 'warning';
  return 'ok';
}

/** The reading's line: a stale one says what it was and as of when; a fresh one when it resets. */
export function rateLimitText(r: RateLimitInfo, now: number): string {
  const pct = `${r.used_percent.toFixed(1)}% used`;
  if (!r.stale) return `${pct}${r.resets_at ? ` · resets ${formatDateTime(r.resets_at, now)}` : ''}`;
  const ended = r.resets_at && Date.parse(r.resets_at) <= now ? ` · window reset ${formatDateTime(r.resets_at, now)}` : ' · its window has passed';
  return `${pct} as of ${formatDateTime(r.observed_at, now)}${ended}, no newer reading`;
}

function RateBadge(p: { level: RateLevel }) {
  switch (p.level) {
    case 'stale':
      return <span class="badge badge-stale">stale</span>;
    case 'critical':
      return <span class="badge badge-error">over {RATE_CRITICAL_PERCENT}%</span>;
    case 'warning':
      return <span class="badge badge-idle">over {RATE_WARN_PERCENT}%</span>;
    default:
      return null;
  }
}

function RateLimitRow(p: { r: RateLimitInfo; now: number }) {
  const r = p.r;
  const level = rateLimitLevel(r);
  const windowText = r.window_minutes ? ` (${formatDuration(r.window_minutes * 60_000)})` : '';
  const label = `${r.agent_type} ${r.window}${windowText}`;
  const common = { label, max: 100, testId: `rate-${r.agent_type}-${r.window}`, text: rateLimitText(r, p.now), badge: <RateBadge level={level} />, level };
  // A stale reading's meter has no warning bands (all of it "optimum"), and is greyed.
  return level === 'stale' ? (
    <Meter {...common} value={r.used_percent} low={100} high={100} class="meter-stale" />
  ) : (
    <Meter {...common} value={r.used_percent} low={RATE_WARN_PERCENT} high={RATE_CRITICAL_PERCENT} />
  );
}

const PROVIDER_NAMES: Record<UsageProvider, string> = { anthropic: 'Anthropic', openai: 'OpenAI', google: 'Google', other: 'Other models' };

/** How to set a budget: in VS Code its setting (the extension hands it to the server it starts), else the server's environment. */
function BudgetHint() {
  const app = useApp();
  return app.initial.host === 'vscode' ? (
    <>
      set <code>{VSCODE_SETTINGS.dailyBudgetUsd}</code> in Settings
    </>
  ) : (
    <>
      start the server with <code>AGENTMONITOR_DAILY_BUDGET_USD</code> set
    </>
  );
}

/**
 * The daily budget as the server knows it (`AGENTMONITOR_DAILY_BUDGET_USD`; in VS Code the extension
 * passes its `agentMonitor.dailyBudgetUSD` setting to the server it starts), `null` when none is
 * set: taken from each usage-monitor answer, so the header and the overview can say "over budget"
 * (against today's live cost) without a request of their own. The page renders this view once
 * while idle (`viewWarmUp.tsx`), so it is known shortly after the page opens.
 */
export const dailyBudget = signal<number | null>(null);

export function Usage() {
  // Plans are per provider: the server picks one by default (Anthropic when it has usage).
  const [provider, setProvider] = useState<UsageProvider | null>(null);
  const um = useApi('/api/stats/usage-monitor', provider ? { tz: localTimeZone(), provider } : { tz: localTimeZone() });
  const d = um.data;
  const budget = d ? d.daily_budget_usd : undefined;
  useEffect(() => {
    if (budget !== undefined) dailyBudget.value = budget !== null && budget > 0 ? budget : null;
  }, [budget]);
  if (!d) return um.error ? <ErrorNote error={um.error} what="the usage monitor" /> : <Loading what="the usage monitor" />;
  const b = d.current_block;
  const blocksAsc = [...d.blocks].reverse();
  const now = Date.parse(d.generated_at);
  return (
    <div class="view-usage">
      <Section title={`Current ${d.block_hours}-hour block · ${PROVIDER_NAMES[d.provider]}`} id="block">
        {d.providers.length > 1 && (
          <label class="muted">
            Plan of{' '}
            <select aria-label="Provider whose blocks are shown" data-testid="block-provider" value={d.provider} onChange={(e) => setProvider((e.currentTarget as HTMLSelectElement).value as UsageProvider)}>
              {d.providers.map((p) => (
                <option value={p} key={p}>
                  {PROVIDER_NAMES[p]}
                </option>
              ))}
            </select>
          </label>
        )}
        {b ? (
          <>
            <p class="muted" data-testid="block-range">
              {formatDateTime(b.start)} – {formatDateTime(b.end)} · last activity {formatDateTime(b.last_activity_at)}
            </p>
            <div class="metrics">
              <Metric label="Block cost" value={formatUsd(b.cost_usd)} testId="block-cost" sub={<UnpricedNote tokens={b.unpriced_tokens} format={formatTokens} />} />
              <Metric label="Block tokens" value={formatTokens(totalTokens(b))} title={formatInt(totalTokens(b))} testId="block-tokens" sub={`${formatInt(b.requests)} requests`} />
              <Metric
                label="Burn rate · last 60 min"
                value={`${formatUsd(d.burn_rate_usd_per_hour)}/h`}
                testId="block-burn"
                sub={`${formatTokens(d.burn_rate_tokens_per_minute)} tokens/min since ${d.burn_rate_since ? formatClock(Date.parse(d.burn_rate_since)) : '—'}`}
              />
              <Metric label="Projected at block end" value={formatUsd(d.projected_block_cost_usd)} testId="block-projection" sub="at the last hour's rate" />
              <Metric label="Time left" value={formatDuration((d.block_time_left_minutes ?? 0) * 60_000)} testId="block-left" />
            </div>
            <Meter
              label="Block elapsed"
              value={now - Date.parse(b.start)}
              max={d.block_hours * 3_600_000}
              text={`${formatDuration(now - Date.parse(b.start))} of ${d.block_hours}h`}
            />
          </>
        ) : (
          <p class="muted" data-testid="no-block">
            No active block: the next usage starts a new {d.block_hours}-hour block.
          </p>
        )}
      </Section>
      <Section title="Today and budget" id="budget">
        <div class="metrics">
          <Metric label="Today" value={formatUsd(d.today_cost_usd)} testId="usage-today" />
          <Metric label="Daily budget" value={d.daily_budget_usd === null ? 'not set' : formatUsd(d.daily_budget_usd)} sub={d.daily_budget_usd === null ? <BudgetHint /> : undefined} testId="daily-budget" />
        </div>
        {d.daily_budget_usd !== null && d.daily_budget_usd > 0 && (
          <Meter
            label="Budget used"
            value={d.today_cost_usd}
            max={d.daily_budget_usd}
            text={`${Math.round((d.today_cost_usd / d.daily_budget_usd) * 100)}%`}
            testId="budget-meter"
          />
        )}
      </Section>
      <Section title="Rate limits" id="rate-limits">
        {d.rate_limits.length === 0 ? (
          <p class="muted">No rate-limit readings yet. Codex reports them with its token counts.</p>
        ) : (
          d.rate_limits.map((r) => <RateLimitRow key={`${r.agent_type}-${r.window}`} r={r} now={now} />)
        )}
      </Section>
      <Section title="Recent blocks" id="blocks">
        {d.blocks.length === 0 ? (
          <p class="muted">No usage in the last week.</p>
        ) : (
          <>
            <Chart
              kind="bars"
              x={blocksAsc.map((x) => Date.parse(x.start) / 1000)}
              series={[{ label: 'Block cost', values: blocksAsc.map((x) => x.cost_usd) }]}
              title={`Cost per ${d.block_hours}-hour block (USD)`}
              label={`Cost per ${d.block_hours}-hour block in US dollars`}
              formatValue={formatUsd}
              formatTicks={formatUsdTicks}
              bucketS={d.block_hours * 3600}
              height={180}
              testId="blocks-chart"
            />
            <table class="table" data-testid="blocks-table">
              <thead>
                <tr>
                  <th scope="col">Block start</th>
                  <th scope="col">Models</th>
                  <th scope="col" class="num">Requests</th>
                  <th scope="col" class="num">Tokens</th>
                  <th scope="col" class="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {d.blocks.map((x) => (
                  <tr key={x.start} class={x.active ? 'active-row' : ''}>
                    <td>
                      {formatDateTime(x.start)} {x.active && <span class="badge badge-active">active</span>}
                    </td>
                    <td>{x.models.join(', ') || '—'}</td>
                    <td class="num">{formatInt(x.requests)}</td>
                    <td class="num">{formatTokens(totalTokens(x))}</td>
                    <td class="num" data-col="cost">
                      {formatUsd(x.cost_usd)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
    </div>
  );
}
