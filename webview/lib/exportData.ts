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

/** One CSV document; several tables are separated by a blank line and a `# name` line. */
export function toCsv(tables: ExportTable[]): string {
  return tables
    .map((t) => {
      const lines = [t.columns.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))];
      return tables.length > 1 ? `# ${t.name}\n${lines.join('\n')}` : lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

export function toJson(tables: ExportTable[], meta: Record<string, unknown> = {}): string {
  const out: Record<string, unknown> = { ...meta };
  for (const t of tables) out[t.name] = t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
  return `${JSON.stringify(out, null, 2)}\n`;
}
