/**
 * `agentmonitor serve [--host] [--port] [--db | --demo | --database-url [--public-url]] [--no-watch] [--no-thinking] [--insecure-no-token]`: runs the server until SIGINT/SIGTERM,
 * then flushes (final snapshot) and exits.
 */
import { pickAgentDirs } from '../agents/folders';
import { parsePublicUrl, type ServerConfig } from '../config';
import { stderrLogger } from '../log';
import { startLogWatcher } from '../importers/liveWatch';
import { startServer } from '../server/server';
import { parseArgs, UsageError } from './args';
import { DEMO_PORT, demoDbPath } from './demoDatabase';
import { startTeamServer } from '../team/teamServer';
import { redactUrl } from '../team/pgStore';
import { startServerPush } from '../team/push';

const HELP = `Usage: agentmonitor serve [options]

Runs the ingest server and the dashboard.

Options:
  --host HOST     address to bind (default 127.0.0.1, env AGENTMONITOR_HOST)
  --port PORT     port (default 3142, env AGENTMONITOR_PORT; 0 picks a free one)
  --db PATH       database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)
  --demo          serve the demo database (~/.agentmonitor/demo.db, filled by "agentmonitor demo")
                  on port 3143 unless --port says otherwise; --db does not go with it
  --no-watch      do not follow Claude Code / Codex transcript logs live
  --no-thinking   do not store what the model thought (Claude's thinking) from transcripts
                  (env AGENTMONITOR_THINKING=0; what is stored already stays)
  --database-url URL
                  team mode: keep events in PostgreSQL 15+ (postgres://user:pass@host/db, env
                  AGENTMONITOR_DATABASE_URL); several servers may serve one database. Serves the
                  dashboard and its read API (with person= filters and cost by person), the event
                  contract, OTLP and hooks; the rest (imports, the status line, data management)
                  answers 501
  --public-url URL
                  team mode behind a reverse proxy: the address people use (https://team.example.com,
                  env AGENTMONITOR_PUBLIC_URL); its Host and Origin are accepted and reads need a
                  token even when bound to 127.0.0.1
  --insecure-no-token
                  allow a non-loopback --host without AGENTMONITOR_TOKEN (everything open to
                  the network; env AGENTMONITOR_INSECURE_NO_TOKEN=1). Without it such a bind
                  refuses to start.

With AGENTMONITOR_TEAM_URL and AGENTMONITOR_TEAM_TOKEN both set, the local server also pushes its
events to that team server as they come (what "agentmonitor push" does).
`;

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, { host: { type: 'string' }, port: { type: 'number' }, db: { type: 'string' }, watch: { type: 'boolean' }, 'insecure-no-token': { type: 'boolean' }, thinking: { type: 'boolean' }, demo: { type: 'boolean' }, 'database-url': { type: 'string' }, 'public-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentmonitor serve: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.values.demo && args.values.db !== undefined) {
    process.stderr.write(`agentmonitor serve: --demo serves ${demoDbPath()}; it does not go with --db\n\n${HELP}`);
    return 2;
  }
  const databaseUrl = args.values['database-url'] !== undefined ? String(args.values['database-url']) : process.env.AGENTMONITOR_DATABASE_URL || undefined;
  if (databaseUrl !== undefined && (args.values.demo || args.values.db !== undefined)) {
    process.stderr.write(`agentmonitor serve: --database-url keeps events in PostgreSQL; it does not go with --db or --demo\n\n${HELP}`);
    return 2;
  }
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    process.stderr.write(`agentmonitor serve: --database-url must be a postgres:// or postgresql:// URL, got "${redactUrl(databaseUrl)}"\n`);
    return 2;
  }
  const overrides: Partial<ServerConfig> = {};
  const publicUrl = args.values['public-url'] !== undefined ? String(args.values['public-url']) : process.env.AGENTMONITOR_PUBLIC_URL || undefined;
  if (publicUrl !== undefined) {
    if (databaseUrl === undefined) {
      process.stderr.write(`agentmonitor serve: --public-url is for a team server behind a reverse proxy; it needs --database-url\n\n${HELP}`);
      return 2;
    }
    try {
      overrides.publicUrl = parsePublicUrl(publicUrl, '--public-url');
    } catch (e) {
      process.stderr.write(`agentmonitor serve: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (args.values.host !== undefined) overrides.host = String(args.values.host);
  if (args.values.port !== undefined) overrides.port = Number(args.values.port);
  if (args.values.db !== undefined) overrides.dbPath = String(args.values.db);
  if (args.values.watch === false) overrides.watchLogs = false;
  if (args.values['insecure-no-token']) overrides.insecureNoToken = true;
  if (args.values.thinking === false) overrides.storeThinking = false;
  if (args.values.demo) {
    overrides.dbPath = demoDbPath();
    overrides.port ??= DEMO_PORT;
    // Demo data is generated, never followed from the agents' logs.
    overrides.watchLogs = false;
  }
  const log = stderrLogger();
  if (databaseUrl !== undefined) return runTeam(databaseUrl, overrides, log);
  let server;
  try {
    server = await startServer(overrides, {
      log,
      onCoreOpen: async (core) => {
        const { config } = core;
        if (!config.watchLogs) return null;
        const watcher = startLogWatcher(core, { ...pickAgentDirs(config), log });
        // The watcher logs the folders it follows once it is ready.
        watcher.ready.catch((e: Error) => log.warn(`log watcher failed to start: ${e.message}`));
        return watcher;
      },
    });
  } catch (e) {
    process.stderr.write(`agentmonitor serve: ${(e as Error).message}\n`);
    return 1;
  }
  // Demo data never goes to a team.
  const pushing = args.values.demo ? null : startServerPush(server.core, process.env, log);
  exitOnStop(async () => {
    await pushing?.stop();
    await server.close();
  }, log, 'flushing and stopping', true);
  // Only now: a caller that stops us as soon as it reads this line must find the handlers in place
  // (signals arrive at once, not through the event loop).
  process.stdout.write(`AgentMonitor ${server.ctx.version} listening on ${server.url}\n  dashboard: ${server.url}/\n  database:  ${server.ctx.config.dbPath}\n`);
  return 0;
}

/**
 * On SIGINT or SIGTERM (and, with `onDisconnect`, when the parent that forked us goes away): close
 * the server once, then exit 0, or 1 if closing failed.
 */
function exitOnStop(close: () => Promise<unknown>, log: ReturnType<typeof stderrLogger>, doing: string, onDisconnect: boolean): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: ${doing}`);
    close().then(
      () => process.exit(0),
      (e: Error) => {
        log.error(`shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (onDisconnect) process.on('disconnect', () => stop('parent disconnected'));
}

/** `serve --database-url`: the team server, until SIGINT/SIGTERM. */
async function runTeam(databaseUrl: string, overrides: Partial<ServerConfig>, log: ReturnType<typeof stderrLogger>): Promise<number> {
  let server;
  try {
    server = await startTeamServer(overrides, { databaseUrl, log });
  } catch (e) {
    process.stderr.write(`agentmonitor serve: ${(e as Error).message}\n`);
    return 1;
  }
  exitOnStop(() => server.close(), log, 'stopping', false);
  process.stdout.write(`AgentMonitor team server listening on ${server.url}\n  database:  ${redactUrl(databaseUrl)} (PostgreSQL)\n`);
  return 0;
}
