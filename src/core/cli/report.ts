/**
 * `agentmonitor report [--db] [--json] [--by day|week|month|model|session|project|agent] [--since]
 * [--until] [--tz] [--agent] [--project] [--model]`: cost and token totals from what is stored
 * (DESIGN §6). When a live server owns the database (its lock file names it), the numbers come from
 * that server's API; otherwise the database is opened read-only (no journal, no snapshot: the file
 * is not touched). Usage of models without a price is flagged (it is not in the cost), as the
 * dashboard does. Weeks (ISO, from Monday) and months are local to --tz; each is totalled over its
 * own range, so a session is counted once per period.
 */
import { loadConfig } from '../config';
import type { ApiError, PeriodTotals } from '../contracts/api';
import { readApiGet } from '../contracts/apiRoutes';
import { stderrLogger, type Logger } from '../log';
import { openCore } from '../runtime';
import { probeOwner } from '../server/lockFile';
import { COST_GROUPS, type CostGroup, type CostParams, type CostReport } from '../store/queries/cost';
import { addDays, dayStartOf, isTimeZone, localTimeZone, parseTimeBound } from '../zonedTime';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor report [options]

Prints tokens and cost from the AgentMonitor database.

Options:
  --by GROUP      day (default), week, month, model, session, project or agent
  --since WHEN    start: YYYY-MM-DD or YYYYMMDD (local midnight in --tz), ISO date-time, or epoch ms
  --until WHEN    end: a date includes that whole day; a date-time is exclusive
  --tz ZONE       IANA time zone for days, weeks and months (default: this machine's)
  --agent NAME    only this agent (claude-code, codex, ...); repeat or comma-separate for several
  --project PATH  only this project; repeatable
  --model NAME    only this model (as stored, e.g. claude-sonnet-4-5-20250929); repeatable
  --breakdown     per model within each day, week or month (rows[].models in --json)
  --json          print {"totals": {...}, "rows": [{key, ...}], "unpriced_tokens", "unpriced_models"}
  --db PATH       database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)

Tokens of models without a price are counted but not in the cost: such rows are marked *.
`;

export const REPORT_GROUPS = ['day', 'week', 'month', ...COST_GROUPS.filter((g) => g !== 'day')] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

const FIELDS = ['cost_usd', 'tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'events', 'sessions', 'requests'] as const;
type ReportTotals = Pick<PeriodTotals, (typeof FIELDS)[number]> & {
  /** Input + output + cache read + cache write. */
  total_tokens: number;
  /** Tokens of models without a price: counted above, not in `cost_usd`. */
  unpriced_tokens: number;
};

export interface ReportJson {
  by: ReportGroup;
  tz: string;
  since: string | null;
  until: string | null;
  /** Where the numbers came from: the live server's API or the database file. */
  source: 'server' | 'database';
  /** The filters applied (absent: all). */
  filters: { agent?: string[]; project?: string[]; model?: string[] };
  totals: ReportTotals;
  rows: ({ key: string; models?: ({ model: string } & ReportTotals)[] } & ReportTotals)[];
  /** Tokens of models without a price in the range, and those models. */
  unpriced_tokens: number;
  unpriced_models: string[];
}

function pick(o: Partial<PeriodTotals> & { unpriced_tokens?: number }): ReportTotals {
  const out = {} as ReportTotals;
  for (const f of FIELDS) out[f] = o[f] ?? 0;
  out.total_tokens = out.tokens_in + out.tokens_out + out.cache_read_tokens + out.cache_write_tokens;
  out.unpriced_tokens = o.unpriced_tokens ?? 0;
  return out;
}

async function fromServer(url: string, p: CostParams, token: string | null): Promise<CostReport> {
  const q = new URLSearchParams({ by: p.by, tz: p.tz, limit: '10000' });
  if (p.since !== null) q.set('since', String(p.since));
  if (p.until !== null) q.set('until', String(p.until));
  for (const [name, values] of [['agent_type', p.agent_type], ['project', p.project], ['model', p.model]] as const) {
    for (const value of values ?? []) q.append(name, value);
  }
  const res = await fetch(`${url}/api/stats/cost?${q}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`server answered ${res.status}: ${((await res.json()) as ApiError).error ?? ''}`);
  return readApiGet('/api/stats/cost', res);
}

interface ReportSource {
  kind: ReportJson['source'];
  query(p: CostParams): Promise<CostReport>;
  close(): Promise<void>;
}

async function databaseSource(dbPath: string, log: Logger): Promise<ReportSource> {
  const config = loadConfig(process.env, { dbPath, watchLogs: false });
  const core = await openCore({ config, log, readOnly: true });
  return { kind: 'database', query: (p) => core.store.query('costBreakdown', p), close: () => core.close() };
}

/** The live server's API when one owns the database and answers, else the file read-only. */
async function openSource(dbPath: string, token: string | null, p: CostParams, log: Logger): Promise<{ source: ReportSource; first: CostReport }> {
  const owner = await probeOwner(dbPath, token);
  if (owner.kind === 'server') {
    const server: ReportSource = { kind: 'server', query: (q) => fromServer(owner.url, q, token), close: async () => {} };
    try {
      return { source: server, first: await server.query(p) };
    } catch (e) {
      log.warn(`the server that owns ${dbPath} (pid ${owner.lock.pid}, ${owner.url}) did not answer (${(e as Error).message}); reading the file instead`);
    }
  } else if (owner.kind === 'unverified') log.warn(`the server that owns ${dbPath} could not be asked (${owner.reason}); reading the file instead`);
  const source = await databaseSource(dbPath, log);
  try {
    return { source, first: await source.query(p) };
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** ISO week (Monday first) of a `YYYY-MM-DD` day: `YYYY-Www` and the Monday it starts on. */
export function isoWeekOf(day: string): { key: string; monday: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  const monday = new Date(d.getTime() - weekday * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, monday: monday.toISOString().slice(0, 10) };
}

/** The period of a day for `--by week|month`: its key and local [start, end). */
function periodOf(day: string, by: 'week' | 'month', tz: string): { key: string; start: number; end: number } {
  if (by === 'week') {
    const { key, monday } = isoWeekOf(day);
    const start = dayStartOf(monday, tz);
    return { key, start, end: addDays(start, 7, tz) };
  }
  const [y, m] = day.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { key: day.slice(0, 7), start: dayStartOf(`${day.slice(0, 7)}-01`, tz), end: dayStartOf(next, tz) };
}

/** The local [start, end) of a row of `--by day|week|month`, within the report's range. */
function rowRange(key: string, by: 'day' | 'week' | 'month', p: CostParams): { since: number; until: number } {
  let start: number;
  let end: number;
  if (by === 'day') {
    start = dayStartOf(key, p.tz);
    end = addDays(start, 1, p.tz);
  } else {
    const day = by === 'month' ? `${key}-01` : isoWeekMonday(key);
    ({ start, end } = periodOf(day, by, p.tz));
  }
  return { since: p.since === null ? start : Math.max(start, p.since), until: p.until === null ? end : Math.min(end, p.until) };
}

/** The Monday (YYYY-MM-DD) of ISO week `YYYY-Www`. */
function isoWeekMonday(key: string): string {
  const [year, week] = [Number(key.slice(0, 4)), Number(key.slice(6))];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday1 + (week - 1) * 7 * 86_400_000).toISOString().slice(0, 10);
}

/** Rows by week or month: the days that have usage name the periods, each totalled over its range. */
async function periodRows(source: ReportSource, days: CostReport, by: 'week' | 'month', p: CostParams): Promise<CostReport['rows']> {
  const periods = new Map<string, { start: number; end: number }>();
  for (const row of days.rows) {
    const period = periodOf(row.key, by, p.tz);
    if (!periods.has(period.key)) periods.set(period.key, period);
  }
  const rows: CostReport['rows'] = [];
  for (const key of periods.keys()) {
    const r = await source.query({ ...p, by: 'agent', ...rowRange(key, by, p) });
    rows.push({ key, ...r.totals });
  }
  return rows;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(2)}`;

export function formatTable(r: ReportJson): string {
  const head = [r.by[0].toUpperCase() + r.by.slice(1), 'Events', 'Sessions', 'Input', 'Output', 'Cache read', 'Cache write', 'Total tokens', 'Cost (USD)'];
  // A cost that leaves out unpriced tokens is marked; the note below the table says what is missing.
  const line = (key: string, t: ReportTotals) => [
    key, int(t.events), int(t.sessions), int(t.tokens_in), int(t.tokens_out), int(t.cache_read_tokens), int(t.cache_write_tokens), int(t.total_tokens),
    `${usd(t.cost_usd)}${t.unpriced_tokens > 0 ? '*' : ' '}`,
  ];
  const body = r.rows.flatMap((row) => [line(row.key, row), ...(row.models ?? []).map((m) => line(`  ${m.model}`, m))]);
  const total = line('Total', r.totals);
  const widths = head.map((h, i) => Math.max(h.length, ...[...body, total].map((cells) => cells[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const range = `${r.since ?? 'the beginning'} to ${r.until ?? 'now'}`;
  const filters = Object.entries(r.filters).map(([k, v]) => `${k} ${v!.join(', ')}`);
  const title = `AgentMonitor report by ${r.by} (${r.tz}), ${range}${filters.length ? `; ${filters.join('; ')}` : ''}`;
  const note = r.unpriced_tokens > 0
    ? [`* ${int(r.unpriced_tokens)} tokens of models without a price are not in the cost: ${r.unpriced_models.join(', ') || '(no model)'}.`,
      '  Price them with AGENTMONITOR_PRICE_OVERRIDES or agentmonitor prices update.']
    : [];
  return [title, '', fmt(head), rule, ...body.map(fmt), rule, fmt(total), ...note, ''].join('\n');
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
      agent: { type: 'string', multiple: true },
      project: { type: 'string', multiple: true },
      model: { type: 'string', multiple: true },
      breakdown: { type: 'boolean' },
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
  const by = (v.by === undefined ? 'day' : String(v.by)) as ReportGroup;
  if (!REPORT_GROUPS.includes(by)) return fail(`--by must be one of ${REPORT_GROUPS.join(', ')}, got "${by}"`);
  if (v.breakdown && by !== 'day' && by !== 'week' && by !== 'month') return fail(`--breakdown goes with --by day, week or month, not ${by}`);
  const listOf = (name: 'agent' | 'project' | 'model') => {
    const values = ((v[name] as string[] | undefined) ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
    return values.length ? [...new Set(values)] : undefined;
  };
  const filters: ReportJson['filters'] = {};
  for (const name of ['agent', 'project', 'model'] as const) {
    const values = listOf(name);
    if (values) filters[name] = values;
  }
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
  const costBy: CostGroup = by === 'week' || by === 'month' ? 'day' : by;
  const params: CostParams = { by: costBy, tz, since, until, agent_type: filters.agent, project: filters.project, model: filters.model };
  const log: Logger = { ...stderrLogger('agentmonitor report'), info() {}, debug() {} };
  let report: CostReport;
  let source: ReportSource | null = null;
  let unpricedModels: string[] = [];
  const breakdowns = new Map<string, ({ model: string } & ReportTotals)[]>();
  try {
    const opened = await openSource(config.dbPath, config.token, params, log);
    source = opened.source;
    report = opened.first;
    if (by === 'week' || by === 'month') report = { ...report, rows: await periodRows(source, report, by, params) };
    if (v.breakdown) {
      for (const row of report.rows) {
        const models = await source.query({ ...params, by: 'model', ...rowRange(row.key, by as 'day' | 'week' | 'month', params) });
        breakdowns.set(row.key, models.rows.map((m) => ({ model: m.key, ...pick(m) })));
      }
    }
    if ((report.totals.unpriced_tokens ?? 0) > 0) {
      const byModel = await source.query({ ...params, by: 'model' });
      unpricedModels = byModel.rows.filter((r) => (r.unpriced_tokens ?? 0) > 0).map((r) => r.key);
    }
  } catch (e) {
    process.stderr.write(`agentmonitor report: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await source?.close();
  }
  const out: ReportJson = {
    by,
    tz,
    since: report.since,
    until: report.until,
    source: source.kind,
    filters,
    totals: pick(report.totals),
    rows: report.rows.map((row) => ({ key: row.key, ...pick(row), ...(breakdowns.has(row.key) ? { models: breakdowns.get(row.key) } : {}) })),
    unpriced_tokens: report.totals.unpriced_tokens ?? 0,
    unpriced_models: unpricedModels,
  };
  process.stdout.write(v.json ? `${JSON.stringify(out, null, 2)}\n` : formatTable(out));
  return 0;
}
