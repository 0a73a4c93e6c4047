/**
 * `agentmonitor hooks install|uninstall|status [--agent claude|codex|gemini|all] [--scope user|project]
 * [--port N] [--claude-version X.Y.Z] [--dry-run] [--force] [--json]`: puts AgentMonitor's hooks
 * into Claude Code's and Gemini CLI's settings.json and Codex's hooks.json next to whatever hooks are already there,
 * or takes only ours out again. An agent that doctor calls not installed gets hooks only with --force.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AGENTS } from '../agents/registry';
import type { AgentAdapter } from '../agents/types';
import { loadConfig } from '../config';
import { ourHookEvents, parseVersion, type Version } from '../hooks/hookSettings';
import { installAgentHooks, uninstallAgentHooks, type HookInstallReport } from '../hooks/installer';
import { agentPresence, findOnPath, hookSettingsPath, type HookScope } from '../hooks/locations';
import type { HookAgent } from '../hooks/normalize';
import { readSettings, SettingsFileError } from '../hooks/settingsFile';
import { hasOurStatusLine } from '../hooks/statusLine';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor hooks install|uninstall|status [options]

Installs AgentMonitor's hooks into Claude Code (settings.json), Codex (hooks.json) and Gemini CLI
(settings.json), keeping every other hook; uninstall removes only ours. A backup of the previous file is kept as
<file>.agentmonitor.bak. Files that are not valid JSON are reported and left unchanged.

Options:
  --agent AGENT   claude, codex, gemini or all (default: all — the agents that are installed;
                  Codex only when $CODEX_HOME or ~/.codex exists, Gemini CLI only when ~/.gemini
                  does)
  --scope SCOPE   user (default: ~/.claude/settings.json or $CLAUDE_CONFIG_DIR/settings.json,
                  $CODEX_HOME/hooks.json, ~/.gemini/settings.json) or project
                  (.claude/settings.json and .gemini/settings.json in this folder)
  --port PORT     the AgentMonitor server's port (default 3142, env AGENTMONITOR_PORT)
  --claude-version X.Y.Z
                  register only the hook events this Claude Code version knows (default: ask
                  "claude --version"; a current version when that cannot run)
  --no-statusline do not make "agentmonitor statusline" Claude Code's status-line command (by
                  default install sets it, so plan limits and context reach AgentMonitor; a
                  status-line command you already have keeps running and printing, chained
                  behind ours, and uninstall puts it back)
  --dry-run       show what would change without writing
  --force         install even for an agent that is not installed (no binary on PATH, no
                  config folder: what "agentmonitor doctor" calls not installed)
  --json          print the result as JSON
`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** How the status line runs this CLI (tests); by default this process's node and script. */
  cliCommand?: string;
  out(s: string): void;
  err(s: string): void;
}

const defaultIo = (): CliIo => ({
  env: process.env,
  cwd: process.cwd(),
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});

/** The agents `--agent <value>` selects, from each adapter's `hooks` (`src/core/agents/`). */
export function agentsFor(value: string | undefined, action: string, env: NodeJS.ProcessEnv, agents: readonly AgentAdapter[] = AGENTS): HookAgent[] {
  const v = value ?? 'all';
  if (v === 'all') {
    return agents.flatMap((a) => (a.hooks && 'agent' in a.hooks && (action !== 'install' || a.hooks.inAll(env)) ? [a.hooks.agent] : []));
  }
  const hooks = agents.find((a) => a.hooks?.cliNames.includes(v))?.hooks;
  if (hooks && 'agent' in hooks) return [hooks.agent];
  if (hooks) throw new UsageError(hooks.unsupported);
  const names = agents.flatMap((a) => (a.hooks && 'agent' in a.hooks ? [a.hooks.cliNames[0]] : []));
  throw new UsageError(`--agent must be ${names.join(', ')} or all, got "${value}"`);
}

const agentName = (agent: HookAgent) => AGENTS.find((a) => a.hooks && 'agent' in a.hooks && a.hooks.agent === agent)?.identity.name ?? agent;

function describe(r: HookInstallReport, dryRun: boolean): string {
  const name = `${agentName(r.agent)} (${r.scope})`;
  // A dry run writes nothing: it says what it would do, and there is no backup to name.
  const tail = dryRun ? ' (dry run, nothing written)' : r.backup ? ` (backup: ${r.backup})` : '';
  const [add, update, remove] = dryRun ? ['would add', 'would update', 'would remove'] : ['added', 'updated', 'removed'];
  const lines = [
    {
      installed: `${name}: ${add} ${r.added} hooks to ${r.file}${tail}`,
      updated: `${name}: ${update} AgentMonitor hooks in ${r.file}${tail}`,
      unchanged: `${name}: hooks already installed in ${r.file}`,
      removed: `${name}: ${remove} ${r.removed} AgentMonitor hooks from ${r.file}${tail}`,
      absent: `${name}: no AgentMonitor hooks in ${r.file}`,
    }[r.action],
  ];
  const sl = r.status_line;
  if (sl && !dryRun) {
    const said = {
      set: `  status line: "agentmonitor statusline" is Claude Code's status-line command`,
      chained: `  status line: your status-line command keeps running, now through "agentmonitor statusline" (uninstall puts it back): ${sl.command ?? ''}`,
      unchanged: null,
      refused: null, // a warning below
      removed: '  status line: ours removed',
      restored: `  status line: your own command is back: ${sl.command ?? ''}`,
    }[sl.action];
    if (said) lines.push(said);
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * How Claude Code should run this CLI: `agentmonitor` when that name on PATH is this very script,
 * else this node and this script by their absolute paths, with the loaders this process was started
 * with (`--import tsx` when run from the sources) resolved, since the status line runs elsewhere.
 */
function cliCommand(env: NodeJS.ProcessEnv): string {
  const script = fs.realpathSync(process.argv[1] ?? '');
  const onPath = findOnPath('agentmonitor', env);
  try {
    if (onPath && fs.realpathSync(onPath) === script) return 'agentmonitor';
  } catch {
    // a broken link on PATH: use the paths
  }
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--import' || argv[i] === '--require') && argv[i + 1]) {
      const spec = argv[++i];
      let resolved = spec;
      try {
        if (!/^[./]|^file:/.test(spec)) resolved = pathToFileURL(createRequire(script).resolve(spec)).href;
      } catch {
        // leave it as given
      }
      flags.push(argv[i - 1], resolved);
    }
  }
  const command = [process.execPath, ...flags, path.resolve(script)].map(shellQuote).join(' ');
  // Run by VS Code's extension host, node is its Electron binary, a node only with this variable.
  return process.versions.electron || env.ELECTRON_RUN_AS_NODE ? `ELECTRON_RUN_AS_NODE=1 ${command}` : command;
}

/** Why hooks are not installed for an agent that is not installed (doctor's test), or null. */
function notInstalled(agent: HookAgent, env: NodeJS.ProcessEnv): string | null {
  const p = agentPresence(agent, env);
  if (p.installed) return null;
  return `${agentName(agent)} is not installed ("${p.binName}" not on PATH, no ${p.dir}): no hooks written for it; install it first, or add --force to write them anyway`;
}

export async function runHooks(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let args;
  let agents: HookAgent[];
  let scope: HookScope;
  let port: number;
  let claudeVersion: Version | undefined;
  try {
    args = parseArgs(argv, {
      agent: { type: 'string' },
      scope: { type: 'string' },
      port: { type: 'number' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      'claude-version': { type: 'string' },
      json: { type: 'boolean' },
      statusline: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (args.values.help) {
      io.out(HELP);
      return 0;
    }
    const action = args.positionals[0];
    if (!['install', 'uninstall', 'status'].includes(action ?? '') || args.positionals.length > 1) {
      throw new UsageError(action ? `unknown action "${args.positionals.join(' ')}"` : 'say install, uninstall or status');
    }
    const scopeValue = String(args.values.scope ?? 'user');
    if (scopeValue !== 'user' && scopeValue !== 'project') throw new UsageError(`--scope must be user or project, got "${scopeValue}"`);
    scope = scopeValue;
    agents = agentsFor(args.values.agent as string | undefined, action!, io.env);
    if (scope === 'project') {
      // An agent without project settings (Codex) says why: named, that is the answer; in "all", it is left out.
      const named = args.values.agent !== undefined && args.values.agent !== 'all';
      agents = agents.filter((a) => {
        try {
          hookSettingsPath(a, 'project', io.env, io.cwd);
          return true;
        } catch (e) {
          if (named) throw new UsageError((e as Error).message);
          return false;
        }
      });
    }
    if (args.values['claude-version'] !== undefined) {
      claudeVersion = parseVersion(String(args.values['claude-version'])) ?? undefined;
      if (!claudeVersion) throw new UsageError(`--claude-version needs X.Y.Z, got "${String(args.values['claude-version'])}"`);
    }
    port = args.values.port !== undefined ? Number(args.values.port) : loadConfig(io.env).port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, got ${port}`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && /AGENTMONITOR_PORT/.test(e.message))) {
      io.err(`agentmonitor hooks: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const action = args.positionals[0];
  const json = !!args.values.json;
  const results: unknown[] = [];
  let failed = false;
  // "all" (the default) means the agents that are installed: one that is not is skipped, and only
  // an install that finds none fails. Named with --agent, an agent that is not installed fails.
  const all = (args.values.agent ?? 'all') === 'all';
  let skipped = 0;
  for (const agent of agents) {
    const statusLine = action === 'install' && agent === 'claude-code' && args.values.statusline !== false ? { bin: io.cliCommand ?? cliCommand(io.env) } : undefined;
    const opts = { agent, scope, port, env: io.env, cwd: io.cwd, dryRun: !!args.values['dry-run'], claudeVersion, statusLine };
    try {
      const absent = action === 'install' && !args.values.force ? notInstalled(agent, io.env) : null;
      if (absent) {
        if (all) skipped++;
        else failed = true;
        results.push({ agent, scope, [all ? 'skipped' : 'error']: absent });
        io.err(`agentmonitor hooks: ${absent}\n`);
        continue;
      }
      if (action === 'status') {
        const file = hookSettingsPath(agent, scope, io.env, io.cwd);
        const loaded = readSettings(file);
        const events = ourHookEvents(loaded.data);
        const statusLineOurs = agent === 'claude-code' ? hasOurStatusLine(loaded.data) : undefined;
        results.push({ agent, scope, file, exists: loaded.exists, events, ...(statusLineOurs === undefined ? {} : { status_line: statusLineOurs }) });
        const slText = statusLineOurs === undefined ? '' : statusLineOurs ? ', status line: ours' : ', status line: not ours';
        if (!json) io.out(`${agentName(agent)} (${scope}): ${events.length ? `${events.length} AgentMonitor hooks` : 'no AgentMonitor hooks'} in ${file}${slText}\n`);
        continue;
      }
      const r = action === 'install' ? installAgentHooks(opts) : uninstallAgentHooks(opts);
      results.push(r);
      if (!json) io.out(describe(r, !!args.values['dry-run']));
    } catch (e) {
      failed = true;
      const message = e instanceof SettingsFileError || e instanceof Error ? e.message : String(e);
      results.push({ agent, scope, error: message });
      io.err(`agentmonitor hooks: ${message}\n`);
    }
  }
  if (skipped && skipped === agents.length) failed = true;
  if (json) io.out(`${JSON.stringify({ action, dry_run: !!args.values['dry-run'], results }, null, 2)}\n`);
  return failed ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  return runHooks(argv);
}
