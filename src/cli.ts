/**
 * `agentmonitor <command>`: dispatches to `src/core/cli/<command>.ts`.
 */
import * as serve from './core/cli/serve';
import * as report from './core/cli/report';
import * as importCmd from './core/cli/import';
import * as hooks from './core/cli/hooks';
import * as doctor from './core/cli/doctor';
import * as demo from './core/cli/demo';
import * as recalc from './core/cli/recalc';
import * as prices from './core/cli/prices';
import { VERSION } from './core/version';

const COMMANDS: Record<string, { run(argv: string[]): Promise<number>; summary: string }> = {
  serve: { run: serve.run, summary: 'run the ingest server and dashboard (default 127.0.0.1:3142)' },
  import: { run: importCmd.run, summary: 'import Claude Code and Codex transcript logs' },
  report: { run: report.run, summary: 'print cost and token totals from the database' },
  hooks: { run: hooks.run, summary: 'install, uninstall or list agent hooks (install|uninstall|status)' },
  doctor: { run: doctor.run, summary: 'check what is configured, reachable and missing' },
  demo: { run: demo.run, summary: 'fill a database with a realistic week of agent activity' },
  recalc: { run: recalc.run, summary: 're-price stored usage after price or override changes' },
  prices: { run: prices.run, summary: "update model prices from LiteLLM's table (prices update [--from URL|FILE])" },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
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
  return c.run(rest);
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
