/**
 * Rows as objects for results of thousands of rows. `SqlDb.all` builds each row with sql.js's
 * `getAsObject`, which asks the statement for its column names again on every row; reading the
 * rows as arrays through `SqlDb.each` and naming them with names looked up once is 5–10x faster on
 * 14,000 session rows in sql.js (80–145 ms → 10–17 ms). Same rows, same values.
 */
import type { SqlValue } from 'sql.js';
import type { SqlDb } from '../sqlDb';

const columnNames = new WeakMap<SqlDb, Map<string, string[]>>();

function namesOf(db: SqlDb, sql: string): string[] {
  let bySql = columnNames.get(db);
  if (!bySql) columnNames.set(db, (bySql = new Map()));
  let names = bySql.get(sql);
  if (!names) {
    const s = db.raw.prepare(sql);
    try {
      names = s.getColumnNames();
    } finally {
      s.free();
    }
    bySql.set(sql, names);
  }
  return names;
}

export function rows<T>(db: SqlDb, sql: string, params: SqlValue[]): T[] {
  const names = namesOf(db, sql);
  const out: T[] = [];
  db.each(sql, params, (r) => {
    const o: Record<string, SqlValue> = {};
    for (let i = 0; i < names.length; i++) o[names[i]] = r[i];
    out.push(o as T);
  });
  return out;
}
