/**
 * Per-person access tokens of a team server (`am_tokens`, migration 2). A token is shown once, when
 * created; the database keeps its SHA-256 only. A write with a token is stored as the token's
 * person; a revoked token is refused with the date it was revoked.
 */
import * as crypto from 'node:crypto';
import type pg from 'pg';

/** What a token looks like: a prefix that names it, then 32 random bytes (base64url). */
export const TOKEN_PREFIX = 'amt_';
const TOKEN_RE = /^amt_[A-Za-z0-9_-]{43}$/;

/** Longest person accepted (an e-mail address's limit). */
export const MAX_PERSON = 320;

export interface TokenRow {
  id: number;
  person: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The outcome of checking a bearer token. */
export type TokenCheck = { ok: true; id: number; person: string } | { ok: false; why: string };

type Queryable = Pick<pg.Pool, 'query'>;

export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The person as stored, or an error message naming what is wrong with it. */
export function checkPerson(person: string): { ok: true; person: string } | { ok: false; why: string } {
  const p = person.trim();
  if (!p) return { ok: false, why: '--person must not be empty' };
  if (p.length > MAX_PERSON) return { ok: false, why: `--person must be at most ${MAX_PERSON} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(p)) return { ok: false, why: `--person must not contain spaces or control characters, got ${JSON.stringify(p)}` };
  return { ok: true, person: p };
}

export async function createToken(db: Queryable, person: string): Promise<{ id: number; person: string; token: string }> {
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const r = await db.query<{ id: number }>('INSERT INTO am_tokens (person, token_sha256) VALUES ($1, $2) RETURNING id', [person, tokenHash(token)]);
  return { id: r.rows[0].id, person, token };
}

export async function listTokens(db: Queryable): Promise<TokenRow[]> {
  return (await db.query<TokenRow>('SELECT id, person, created_at, last_used_at, revoked_at FROM am_tokens ORDER BY id')).rows;
}

/** Revoke one token by id, or every live token of a person; returns the tokens revoked now. */
export async function revokeTokens(db: Queryable, which: { id: number } | { person: string }): Promise<TokenRow[]> {
  const [where, param] = 'id' in which ? ['id = $1', which.id] : ['person = $1', which.person];
  return (
    await db.query<TokenRow>(
      `UPDATE am_tokens SET revoked_at = now() WHERE ${where} AND revoked_at IS NULL RETURNING id, person, created_at, last_used_at, revoked_at`,
      [param],
    )
  ).rows;
}

/** Last use is written at most once a minute per token (a write per request would contend). */
const TOUCH_EVERY_S = 60;

/** Check a bearer token against the database (every request: a revocation holds at once, on every server). */
export async function checkToken(db: Queryable, token: string): Promise<TokenCheck> {
  if (!TOKEN_RE.test(token)) return { ok: false, why: `not an AgentMonitor team token (they start with "${TOKEN_PREFIX}"; create one with "agentmonitor team token create --person EMAIL")` };
  const r = await db.query<{ id: number; person: string; revoked_at: Date | null; stale: boolean }>(
    `SELECT id, person, revoked_at, (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ${TOUCH_EVERY_S})) AS stale
     FROM am_tokens WHERE token_sha256 = $1`,
    [tokenHash(token)],
  );
  const row = r.rows[0];
  if (!row) return { ok: false, why: 'unknown token: no such token on this team server' };
  if (row.revoked_at) return { ok: false, why: `token ${row.id} of ${row.person} was revoked on ${row.revoked_at.toISOString()}` };
  if (row.stale) {
    // Awaited (at most once a minute per token), so `team token list` right after shows it; a
    // failed update must not fail the request it accompanies.
    await db.query('UPDATE am_tokens SET last_used_at = now() WHERE id = $1', [row.id]).catch(() => {});
  }
  return { ok: true, id: row.id, person: row.person };
}
