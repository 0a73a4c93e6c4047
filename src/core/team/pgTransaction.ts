import type pg from 'pg';

/**
 * `work` in one transaction on a connection of `pool`: COMMIT when it returns, ROLLBACK when it
 * throws (its error is rethrown); the connection goes back to the pool either way.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}
