/**
 * Rows a query reads often, kept in memory per question and brought up to date after each write
 * from what it touched (`changeLog.ts`) instead of read again. A write the log cannot account for
 * makes the next use read everything again. One question is kept per kind; results too large to
 * keep are read each time.
 */
import type { SqlValue } from 'sql.js';
import { totalChanges, touchedBetween, type Touched } from '../changeLog';
import type { SqlDb } from '../sqlDb';

const MAX_ROWS = 500_000;

export interface Memo<P> {
  db: SqlDb;
  changes: number;
  key: string;
  params: P;
  rows: SqlValue[][];
  /** Positions of the rows by id, built on the first patch that needs it (`indexOf`). */
  index?: Map<SqlValue, number>;
}

export interface MemoKind<P> {
  memo: Memo<P> | null;
  read(db: SqlDb, params: P): SqlValue[][];
  /** Bring `m.rows` up to date with what the writes touched; false to read everything again. */
  patch(m: Memo<P>, touched: Touched): boolean;
}

/** The rows for `params` (identified by `key`), from memory when they can be kept up to date. */
export function memoRows<P>(kind: MemoKind<P>, db: SqlDb, key: string, params: P): SqlValue[][] {
  const changes = totalChanges(db);
  const m = kind.memo;
  if (m && m.db === db && m.key === key) {
    if (m.changes === changes) return m.rows;
    const touched = touchedBetween(db, m.changes, changes);
    if (touched && kind.patch(m, touched)) {
      m.changes = changes;
      return m.rows;
    }
  }
  const rows = kind.read(db, params);
  kind.memo = rows.length <= MAX_ROWS ? { db, changes, key, params, rows } : null;
  return rows;
}

export function readAll(db: SqlDb, sql: string, params: SqlValue[]): SqlValue[][] {
  const rows: SqlValue[][] = [];
  db.each(sql, params, (r) => rows.push(r));
  return rows;
}

/**
 * Replace, add or remove the rows of `ids` (column `idCol` holds the id) with `fresh`, the rows
 * of those ids that still match; `index` maps ids to positions and is kept up to date.
 */
export function replaceById(rows: SqlValue[][], index: Map<SqlValue, number>, idCol: number, ids: Iterable<SqlValue>, fresh: SqlValue[][]): void {
  const byId = new Map(fresh.map((r) => [r[idCol], r]));
  for (const id of ids) {
    const row = byId.get(id);
    const at = index.get(id);
    if (row && at !== undefined) rows[at] = row;
    else if (row) {
      index.set(id, rows.length);
      rows.push(row);
    } else if (at !== undefined) {
      // No longer matching: the last row takes its place.
      const last = rows.pop()!;
      index.delete(id);
      if (at < rows.length) {
        rows[at] = last;
        index.set(last[idCol], at);
      }
    }
  }
}

/** Positions of the rows by the id in `idCol`, built once per memo. */
export function indexOf(m: Memo<unknown>, idCol: number): Map<SqlValue, number> {
  m.index ??= new Map(m.rows.map((r, i) => [r[idCol], i]));
  return m.index;
}
