/**
 * `agentmonitor push --to URL --token T [--db PATH] [--once] [--batch N] [--interval S]`: forwards
 * this machine's events to a team server, resumably and idempotently (`team/push.ts`).
 */
import { loadConfig } from '../config';
import { stderrLogger } from '../log';
import { machineName, push } from '../team/push';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor push --to URL --token TOKEN [options]

Forwards what only this machine sees (imported transcripts, hooks, local OTLP) from the local
database to a team server (agentmonitor serve --database-url …), oldest first, and keeps following
new events. It resumes where it stopped: a cursor of what the team server acknowledged is kept in
push/ beside the database; sending something twice changes nothing (events are deduplicated by id).
The team server stores the events as the token's person.

Options:
  --to URL        the team server (env AGENTMONITOR_TEAM_URL)
  --token TOKEN   your team token (from "agentmonitor team token create"); prefer the env
                  AGENTMONITOR_TEAM_TOKEN: other users of this machine can see a command line
  --once          send the backlog and exit instead of following
  --db PATH       local database (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)
  --batch N       most events per request (default 500, at most 5000)
  --interval S    seconds between looks for new events while following (default 5)
  --retry-for S   give up after S seconds of a failing team server (default: 300 with --once,
                  never while following); 0 retries for ever
  --machine NAME  the machine the team sees the events come from (env AGENTMONITOR_MACHINE;
                  default: this host's name)
  --json          with --once, print the totals as JSON
`;

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, {
      to: { type: 'string' },
      token: { type: 'string' },
      once: { type: 'boolean' },
      db: { type: 'string' },
      batch: { type: 'number' },
      interval: { type: 'number' },
      'retry-for': { type: 'number' },
      json: { type: 'boolean' },
      machine: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentmonitor push: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const to = args.values.to !== undefined ? String(args.values.to) : process.env.AGENTMONITOR_TEAM_URL || '';
  const token = args.values.token !== undefined ? String(args.values.token) : process.env.AGENTMONITOR_TEAM_TOKEN || '';
  const usage = (m: string) => {
    process.stderr.write(`agentmonitor push: ${m}\n\n${HELP}`);
    return 2;
  };
  if (!to) return usage('--to URL is needed (or AGENTMONITOR_TEAM_URL)');
  if (!token) return usage('--token is needed (or AGENTMONITOR_TEAM_TOKEN)');
  const batch = args.values.batch !== undefined ? Number(args.values.batch) : 500;
  if (!Number.isInteger(batch) || batch < 1 || batch > 5000) return usage(`--batch must be an integer from 1 to 5000, got ${args.values.batch}`);
  const interval = args.values.interval !== undefined ? Number(args.values.interval) : 5;
  if (!(interval >= 0.1 && interval <= 3600)) return usage(`--interval must be from 0.1 to 3600 seconds, got ${args.values.interval}`);
  const retryFor = args.values['retry-for'] !== undefined ? Number(args.values['retry-for']) : undefined;
  if (retryFor !== undefined && !(retryFor >= 0)) return usage(`--retry-for must be 0 or more seconds, got ${args.values['retry-for']}`);

  const config = loadConfig(process.env, args.values.db !== undefined ? { dbPath: String(args.values.db) } : {});
  const log = stderrLogger();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const follow = !args.values.once;
  try {
    const totals = await push({
      to,
      token,
      dbPath: config.dbPath,
      localToken: config.token,
      batchSize: batch,
      machine: args.values.machine !== undefined ? String(args.values.machine) : machineName(),
      follow,
      intervalMs: interval * 1000,
      retryForMs: retryFor === undefined ? undefined : retryFor * 1000,
      log,
      signal: stop.signal,
      onBatch: (b) => process.stderr.write(`push: sent ${b.events} events (${b.inserted} new, ${b.duplicates} already there${b.rejected ? `, ${b.rejected} rejected` : ''}); cursor at local id ${b.lastId}\n`),
    });
    if (args.values.json) process.stdout.write(`${JSON.stringify(totals)}\n`);
    else process.stdout.write(`pushed ${totals.events} events to ${to}: ${totals.inserted} new, ${totals.duplicates} already there${totals.rejected ? `, ${totals.rejected} rejected` : ''}; cursor at local id ${totals.lastId} (${totals.cursorFile})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`agentmonitor push: ${(e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
