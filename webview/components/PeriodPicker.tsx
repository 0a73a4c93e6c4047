import type { DashboardView } from '../../src/core/contracts/webview';
import { routeHash } from '../data/appState';
import { customDays, periodOfDays, PERIODS, type Period } from '../lib/period';
import { useApp } from './appContext';

/**
 * The period a Costs or Tools view shows: the location hash's (`#/costs?period=all`), else the
 * view's default of `days` days. Choosing one changes the hash, so a reload, a copied link or Back
 * keeps it.
 */
export function usePeriod(view: DashboardView, days: number): [Period, (p: Period) => void] {
  const app = useApp();
  const r = app.route.value;
  const dflt: Period = { id: periodOfDays(days) };
  const period = (r.view === view && r.period) || dflt;
  const set = (p: Period) => {
    const hash = routeHash({ view, sessionId: null, period: p.id === dflt.id ? null : p });
    if (location.hash !== hash) location.hash = hash;
  };
  return [period, set];
}

export function PeriodPicker(p: { value: Period; onChange(v: Period): void }) {
  const custom = p.value.id === 'custom' ? customDays(p.value) : null;
  const setDay = (key: 'from' | 'to', v: string) => {
    if (!custom || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return;
    const next = { ...custom, [key]: v };
    // A range given backwards is taken as the days between.
    const [from, to] = next.from <= next.to ? [next.from, next.to] : [next.to, next.from];
    p.onChange({ id: 'custom', from, to });
  };
  return (
    <div class="period-picker">
      <div class="segmented" role="radiogroup" aria-label="Period">
        {PERIODS.map((o) => (
          <button
            key={o.id}
            type="button"
            role="radio"
            class="btn"
            aria-checked={p.value.id === o.id}
            data-period={o.id}
            onClick={() => p.onChange(o.id === 'custom' ? { id: 'custom', ...customDays(p.value) } : { id: o.id })}
          >
            {o.label}
          </button>
        ))}
      </div>
      {custom && (
        <span class="period-range" role="group" aria-label="Custom period">
          <label>
            <span>From</span>
            <input type="date" data-testid="period-from" value={custom.from} max={custom.to} onChange={(e) => setDay('from', (e.currentTarget as HTMLInputElement).value)} />
          </label>
          <label>
            <span>To</span>
            <input type="date" data-testid="period-to" value={custom.to} min={custom.from} onChange={(e) => setDay('to', (e.currentTarget as HTMLInputElement).value)} />
          </label>
        </span>
      )}
    </div>
  );
}
