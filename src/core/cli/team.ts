/**
 * `agentmonitor team token create --person EMAIL | list | revoke ID|--person EMAIL`
 * [--database-url URL]: the per-person tokens of a team server's database (`team/pgTokens.ts`).
 * The database URL comes from `--database-url` or `AGENTMONITOR_DATABASE_URL`; the schema is
 * migrated first, as `serve --database-url` does.
 */
import { stderrLogger } from '../log';
import { PgStore, redactUrl } from '../team/pgStore';
import { checkPerson, createToken, listTokens, revokeTokens, type TokenRow } from '../team/pgTokens';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor team token <create|list|revoke> [options]

Per-person tokens of a team server (serve --database-url). A write with a token is stored as the
token's person; reads need a token unless the team server is bound to loopback.

  team token create --person EMAIL   print a new token for EMAIL (shown once; only its hash is kept)
  team token list                    tokens: id, person, created, last used, revoked (never the token)
  team token revoke ID               revoke one token
  team token revoke --person EMAIL   revoke every token of EMAIL

Options:
  --database-url URL   the team database (postgres://user:pass@host/db, env AGENTMONITOR_DATABASE_URL)
  --person EMAIL       the person a token is created for, or whose tokens are revoked
  --json               list as JSON
`;

function fail(message: string, code = 2): number {
  process.stderr.write(`agentmonitor team: ${message}\n${code === 2 ? `\n${HELP}` : ''}`);
  return code;
}

function when(d: Date | null): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

function table(rows: TokenRow[]): string {
  const head = ['ID', 'PERSON', 'CREATED', 'LAST USED', 'REVOKED'];
  const cells = rows.map((r) => [String(r.id), r.person, when(r.created_at), when(r.last_used_at), when(r.revoked_at)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [head, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, { 'database-url': { type: 'string' }, person: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [noun, verb, ...rest] = args.positionals;
  if (noun !== 'token' || !['create', 'list', 'revoke'].includes(verb ?? '')) return fail(`expected "team token create|list|revoke", got "${args.positionals.join(' ')}"`);
  const url = args.values['database-url'] !== undefined ? String(args.values['database-url']) : process.env.AGENTMONITOR_DATABASE_URL || '';
  if (!url) return fail('no team database: pass --database-url postgres://… or set AGENTMONITOR_DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(url)) return fail(`--database-url must be a postgres:// or postgresql:// URL, got "${redactUrl(url)}"`);
  const person = args.values.person !== undefined ? checkPerson(String(args.values.person)) : null;
  if (person && !person.ok) return fail(person.why);
  let which: { id: number } | { person: string } | null = null;
  if (verb === 'create' && (!person || rest.length)) return fail('team token create needs --person EMAIL (and nothing else)');
  if (verb === 'list' && (person || rest.length)) return fail('team token list takes no arguments');
  if (verb === 'revoke') {
    if (person && !rest.length) which = { person: person.person };
    else if (!person && rest.length === 1 && /^\d{1,15}$/.test(rest[0])) which = { id: Number(rest[0]) };
    else return fail(`team token revoke needs a token id (from "team token list") or --person EMAIL, got "${[...rest, ...(person ? ['--person'] : [])].join(' ')}"`);
  }

  const log = stderrLogger();
  let store: PgStore;
  try {
    store = await PgStore.open(url, log);
  } catch (e) {
    return fail((e as Error).message, 1);
  }
  try {
    if (verb === 'create') {
      const t = await createToken(store.pool, (person as { person: string }).person);
      process.stderr.write(`token ${t.id} for ${t.person} (shown once; only its hash is stored):\n`);
      process.stdout.write(`${t.token}\n`);
      return 0;
    }
    if (verb === 'list') {
      const rows = await listTokens(store.pool);
      process.stdout.write(args.values.json ? `${JSON.stringify(rows.map((r) => ({ ...r, created_at: when(r.created_at), last_used_at: r.last_used_at && when(r.last_used_at), revoked_at: r.revoked_at && when(r.revoked_at) })))}\n` : table(rows));
      return 0;
    }
    const revoked = await revokeTokens(store.pool, which!);
    if (!revoked.length) return fail('id' in which! ? `no live token with id ${which!.id}` : `no live token of ${which!.person}`, 1);
    for (const r of revoked) process.stdout.write(`revoked token ${r.id} of ${r.person}\n`);
    return 0;
  } catch (e) {
    return fail(`the team database ${redactUrl(url)} refused: ${(e as Error).message}`, 1);
  } finally {
    await store.close();
  }
}
