/**
 * `agentmonitor report [--db] [--json] [--by day|model|session|project|agent] [--since] [--until]
 * [--tz]`: cost and token totals from what is stored (DESIGN §6). When a live server owns the
 * database (its lock file names it), the numbers come from that server's API; otherwise the
 * database is opened read-only (no journal, no snapshot: the file is not touched).
 */
import { loadConfig } from '../config';
import type { PeriodTotals } from '../contracts/api';
import { stderrLogger, type Logger } from '../log';
import { openCore } from '../runtime';
import { probeOwner } from '../server/lockFile';
import { COST_GROUPS, type CostGroup, type CostParams, type CostReport } from '../store/queries/cost';
import { isTimeZone, localTimeZone, parseTimeBound } from '../zonedTime';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor report [options]

Prints tokens and cost from the AgentMonitor database.

Options:
  --by GROUP      day (default), model, session, project or agent
  --since WHEN    start: YYYY-MM-DD or YYYYMMDD (local midnight in --tz), ISO date-time, or epoch ms
  --until WHEN    end: a date includes that whole day; a date-time is exclusive
  --tz ZONE       IANA time zone for days (default: this machine's)
  --json          print {"totals": {...}, "rows": [{key, ...}]}
  --db PATH       database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)
`;

const FIELDS = ['cost_usd', 'tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'events', 'sessions', 'requests'] as const;
type ReportTotals = Pick<PeriodTotals, (typeof FIELDS)[number]>;

export interface ReportJson {
  by: CostGroup;
  tz: string;
  since: string | null;
  until: string | null;
  /** Where the numbers came from: the live server's API or the database file. */
  source: 'server' | 'database';
  totals: ReportTotals;
  rows: ({ key: string } & ReportTotals)[];
}

function pick(o: ReportTotals): ReportTotals {
  const out = {} as ReportTotals;
  for (const f of FIELDS) out[f] = o[f] ?? 0;
  return out;
}

async function fromServer(url: string, p: CostParams, token: string | null): Promise<CostReport> {
  const q = new URLSearchParams({ by: p.by, tz: p.tz, limit: '10000' });
  if (p.since !== null) q.set('since', String(p.since));
  if (p.until !== null) q.set('until', String(p.until));
  const res = await fetch(`${url}/api/stats/cost?${q}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as CostReport & { error?: string };
  if (!res.ok) throw new Error(`server answered ${res.status}: ${body.error ?? ''}`);
  return body;
}

async function fromDatabase(dbPath: string, p: CostParams, log: Logger): Promise<CostReport> {
  const config = loadConfig(process.env, { dbPath, watchLogs: false });
  const core = await openCore({ config, log, readOnly: true });
  try {
    return await core.store.query('costBreakdown', p);
  } finally {
    await core.close();
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(2)}`;

export function formatTable(r: ReportJson): string {
  const head = [r.by === 'day' ? 'Day' : r.by[0].toUpperCase() + r.by.slice(1), 'Events', 'Sessions', 'Input', 'Output', 'Cache read', 'Cache write', 'Cost (USD)'];
  const line = (key: string, t: ReportTotals) => [key, int(t.events), int(t.sessions), int(t.tokens_in), int(t.tokens_out), int(t.cache_read_tokens), int(t.cache_write_tokens), usd(t.cost_usd)];
  const body = r.rows.map((row) => line(row.key, row));
  const total = line('Total', r.totals);
  const widths = head.map((h, i) => Math.max(h.length, ...[...body, total].map((cells) => cells[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const range = `${r.since ?? 'the beginning'} to ${r.until ?? 'now'}`;
  return [`AgentMonitor report by ${r.by} (${r.tz}), ${range}`, '', fmt(head), rule, ...body.map(fmt), rule, fmt(total), ''].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const fail = (msg: string) => {
    process.stderr.write(`agentmonitor report: ${msg}\n`);
    return 2;
  };
  let args;
  try {
    args = parseArgs(argv, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      by: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      tz: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (e) {
    if (e instanceof UsageError) return fail(`${e.message}\n\n${HELP}`);
    throw e;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length) return fail(`unexpected argument "${args.positionals[0]}"`);
  const by = (v.by === undefined ? 'day' : String(v.by)) as CostGroup;
  if (!COST_GROUPS.includes(by)) return fail(`--by must be one of ${COST_GROUPS.join(', ')}, got "${by}"`);
  const tz = v.tz === undefined ? localTimeZone() : String(v.tz);
  if (!isTimeZone(tz)) return fail(`--tz must be an IANA time zone such as Europe/Berlin, got "${tz}"`);
  const bound = (name: 'since' | 'until') => {
    if (v[name] === undefined) return null;
    const t = parseTimeBound(String(v[name]), tz, name === 'until');
    if (t === null) throw new UsageError(`--${name} must be YYYY-MM-DD, YYYYMMDD, an ISO date-time or epoch ms, got "${String(v[name])}"`);
    return t;
  };
  let since: number | null;
  let until: number | null;
  try {
    since = bound('since');
    until = bound('until');
  } catch (e) {
    return fail((e as Error).message);
  }
  if (since !== null && until !== null && until < since) return fail('--until is before --since');

  let config;
  try {
    config = loadConfig(process.env, v.db === undefined ? {} : { dbPath: String(v.db) });
  } catch (e) {
    return fail((e as Error).message);
  }
  const params: CostParams = { by, tz, since, until };
  const log: Logger = { ...stderrLogger('agentmonitor report'), info() {}, debug() {} };
  let report: CostReport;
  let source: ReportJson['source'] = 'database';
  try {
    const owner = await probeOwner(config.dbPath, config.token);
    if (owner.kind === 'server') {
      try {
        report = await fromServer(owner.url, params, config.token);
        source = 'server';
      } catch (e) {
        log.warn(`the server that owns ${config.dbPath} (pid ${owner.lock.pid}, ${owner.url}) did not answer (${(e as Error).message}); reading the file instead`);
        report = await fromDatabase(config.dbPath, params, log);
      }
    } else {
      if (owner.kind === 'unverified') log.warn(`the server that owns ${config.dbPath} could not be asked (${owner.reason}); reading the file instead`);
      report = await fromDatabase(config.dbPath, params, log);
    }
  } catch (e) {
    process.stderr.write(`agentmonitor report: ${(e as Error).message}\n`);
    return 1;
  }
  const out: ReportJson = {
    by,
    tz,
    since: report.since,
    until: report.until,
    source,
    totals: pick(report.totals),
    rows: report.rows.map((row) => ({ key: row.key, ...pick(row) })),
  };
  process.stdout.write(v.json ? `${JSON.stringify(out, null, 2)}\n` : formatTable(out));
  return 0;
}
