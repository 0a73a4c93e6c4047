/**
 * `agentmonitor <command>`: dispatches to `src/core/cli/<command>.ts`. Each command's module is
 * loaded when it runs (`import()`, which esbuild keeps lazy inside the one bundle): a `report` or
 * `import` process does not initialise the server's modules (express and its body parsers,
 * protobufjs, the OTLP schemas), whose start-up was most of the bundle's before `main` ran.
 */
import { VERSION } from './core/version';

type Command = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { load(): Promise<Command>; summary: string }> = {
  serve: { load: () => import('./core/cli/serve'), summary: 'run the ingest server and dashboard (default 127.0.0.1:3142)' },
  import: { load: () => import('./core/cli/import'), summary: 'import Claude Code and Codex transcript logs' },
  report: { load: () => import('./core/cli/report'), summary: 'print cost and token totals from the database' },
  hooks: { load: () => import('./core/cli/hooks'), summary: 'install, uninstall or list agent hooks (install|uninstall|status)' },
  statusline: { load: () => import('./core/cli/statusline'), summary: "Claude Code's status-line command: sends plan limits and context, prints a short line" },
  doctor: { load: () => import('./core/cli/doctor'), summary: 'check what is configured, reachable and missing' },
  demo: { load: () => import('./core/cli/demo'), summary: 'fill a database with a realistic week of agent activity' },
  recalc: { load: () => import('./core/cli/recalc'), summary: 're-price stored usage after price or override changes' },
  team: { load: () => import('./core/cli/team'), summary: 'per-person tokens of a team server (team token create|list|revoke)' },
  push: { load: () => import('./core/cli/push'), summary: 'forward this machine\'s events to a team server (push --to URL --token T)' },
  prices: { load: () => import('./core/cli/prices'), summary: "update model prices from LiteLLM's table (prices update [--from URL|FILE])" },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `agentmonitor ${VERSION}\n\nUsage: agentmonitor <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "agentmonitor <command> --help" for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`agentmonitor: unknown command "${cmd}"\n\n${usage()}`);
    return 2;
  }
  return (await c.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || !['serve'].includes(process.argv[2] ?? '')) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentmonitor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
