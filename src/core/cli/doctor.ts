/**
 * `agentmonitor doctor [--port N] [--json]`: which agents are installed, which hooks and telemetry
 * they have, whether the server answers, and what to run to fix what is missing.
 */
import { loadConfig } from '../config';
import { runDoctorChecks, type CheckStatus } from '../hooks/doctorChecks';
import type { CliIo } from './hooks';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor doctor [options]

Checks which agents are installed, whether AgentMonitor's hooks and telemetry are configured for
them, and whether the server answers; prints what to run to fix what is missing.

Options:
  --port PORT   the server's port (default 3142, env AGENTMONITOR_PORT)
  --json        print the report as JSON
Exit code: 0 when hooks and server are in order, 1 otherwise.
`;

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', missing: '✗', error: '✗', info: '·' };

export async function runDoctor(argv: string[], io: CliIo): Promise<number> {
  let args;
  let port: number;
  let host: string;
  try {
    args = parseArgs(argv, { port: { type: 'number' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (args.values.help) {
      io.out(HELP);
      return 0;
    }
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const config = loadConfig(io.env);
    port = args.values.port !== undefined ? Number(args.values.port) : config.port;
    host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, got ${port}`);
  } catch (e) {
    io.err(`agentmonitor doctor: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const report = await runDoctorChecks({ env: io.env, cwd: io.cwd, host, port });
  if (args.values.json) {
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    let area = '';
    for (const c of report.checks) {
      if (c.area !== area) {
        area = c.area;
        lines.push(`${area[0].toUpperCase()}${area.slice(1)}`);
      }
      lines.push(`  ${c.status === 'missing' && c.area === 'telemetry' ? '○' : MARK[c.status]} ${c.message}`);
      if (c.fix && c.status !== 'ok') lines.push(...`fix: ${c.fix}`.split('\n').map((l) => `      ${l}`));
    }
    lines.push('', report.ok ? 'Everything AgentMonitor needs is in place.' : 'Some things need fixing (see above).');
    io.out(`${lines.join('\n')}\n`);
  }
  return report.ok ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  return runDoctor(argv, { env: process.env, cwd: process.cwd(), out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
}
