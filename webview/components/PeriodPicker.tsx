import { PERIODS, type PeriodId } from '../lib/period';

export function PeriodPicker(p: { value: PeriodId; onChange(v: PeriodId): void }) {
  return (
    <div class="segmented" role="radiogroup" aria-label="Period">
      {PERIODS.map((o) => (
        <button
          key={o.id}
          type="button"
          role="radio"
          class="btn"
          aria-checked={p.value === o.id}
          data-period={o.id}
          onClick={() => p.onChange(o.id)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
