/** CSV/JSON export of the tables a view shows. */

export interface ExportTable {
  name: string;
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  // Neutralize spreadsheet formulas, quote what needs quoting.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Costs keep six decimals (a millionth of a dollar): no float noise such as `0.30000000000000004`. */
export function roundCost(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** One table as one CSV document: a header row, then the rows. */
export function toCsv(table: ExportTable): string {
  return [table.columns.map(csvCell).join(','), ...table.rows.map((r) => r.map(csvCell).join(','))].join('\n').concat('\n');
}

export function toJson(tables: ExportTable[], meta: Record<string, unknown> = {}): string {
  const out: Record<string, unknown> = { ...meta };
  for (const t of tables) out[t.name] = t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
  return `${JSON.stringify(out, null, 2)}\n`;
}
