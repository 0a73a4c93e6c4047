/**
 * What each adapter's `doctor` (`src/core/agents/<agent>/doctor.ts`) builds its checks with: the
 * check's shape, whether the agent is there, and the check of our hooks in one of its settings
 * files. `doctorChecks.ts` runs every adapter's and asks the server.
 */
import * as fs from 'node:fs';
import { isOurHandler, ourHookEvents } from './hookSettings';
import { hookInstaller } from './hookAgents';
import { agentPresence, type HookScope } from './locations';
import type { HookAgent } from './normalize';
import { readSettings, type LoadedSettings } from './settingsFile';
import { isRecord } from './summarize';

export type CheckStatus = 'ok' | 'warn' | 'missing' | 'error' | 'info';

export interface DoctorCheck {
  id: string;
  area: 'agents' | 'hooks' | 'telemetry' | 'server';
  status: CheckStatus;
  message: string;
  /** What to run or add to fix it. */
  fix?: string;
}

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: string;
  port: number;
  healthTimeoutMs?: number;
}

/** Ports and script paths our handlers in a settings document point at. */
function ourTargets(data: Record<string, unknown>): { ports: Set<number>; scripts: Set<string> } {
  const ports = new Set<number>();
  const scripts = new Set<string>();
  const hooks = isRecord(data.hooks) ? data.hooks : {};
  for (const groups of Object.values(hooks)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      if (!isRecord(g) || !Array.isArray(g.hooks)) continue;
      for (const h of g.hooks) {
        if (!isOurHandler(h) || !isRecord(h)) continue;
        const url = typeof h.url === 'string' ? /:(\d+)\/api\/hooks\//.exec(h.url) : null;
        if (url) ports.add(Number(url[1]));
        const cmd = typeof h.command === 'string' ? /^sh\s+("([^"]+)"|(\S+))\s+\S+\s+(\d+)/.exec(h.command) : null;
        if (cmd) {
          scripts.add(cmd[2] ?? cmd[3]);
          ports.add(Number(cmd[4]));
        }
      }
    }
  }
  return { ports, scripts };
}

/** Whether a hook agent is there, as `agents.<agent>` says (`detail`: after its binary's path, e.g. its version). */
export function presenceCheck(agent: HookAgent, name: string, o: DoctorOptions, detail = ''): { check: DoctorCheck; installed: boolean } {
  const { installed, binName, bin, dir, hasDir } = agentPresence(agent, o.env);
  return {
    installed,
    check: {
      id: `agents.${agent}`,
      area: 'agents',
      status: installed ? 'ok' : 'info',
      message: installed
        ? `${name}: ${bin ? `${bin}${detail}` : `"${binName}" not on PATH`}${hasDir ? `, config in ${dir}` : ''}`
        : `${name} is not installed ("${binName}" not on PATH, no ${dir})`,
    },
  };
}

export interface HookCheckOptions {
  /** The events our install registers (by default those of `hooks.settings` with no version). */
  expected?: string[];
  /** Events the installed version rejects, when it knows: an error, the file is skipped whole. */
  unknownRejected?: { version: string };
  /** Agent-specific problems (hooks turned off in its own config). */
  problems?: string[];
}

/** Our hooks in the agent's settings file for `scope`: there, complete, on this port, their script present. */
export function hookCheck(agent: HookAgent, scope: HookScope, name: string, o: DoctorOptions, installed: boolean, opts: HookCheckOptions = {}): DoctorCheck | null {
  const id = `hooks.${agent}.${scope}`;
  const installer = hookInstaller(agent);
  const file = installer.settingsFile(scope, o.env, o.cwd);
  const install = `agentmonitor hooks install --agent ${installer.cliNames[0]}${scope === 'project' ? ' --scope project' : ''}${o.port !== 3142 ? ` --port ${o.port}` : ''}`;
  let loaded: LoadedSettings;
  try {
    loaded = readSettings(file);
  } catch (e) {
    return { id, area: 'hooks', status: 'error', message: (e as Error).message, fix: `fix the JSON in ${file}, then run: ${install}` };
  }
  const have = ourHookEvents(loaded.data);
  if (!have.length) {
    if (scope === 'project') return null;
    return installed
      ? { id, area: 'hooks', status: 'missing', message: `${name}: no AgentMonitor hooks in ${file}`, fix: install }
      : { id, area: 'hooks', status: 'info', message: `${name} is not installed; no hooks needed` };
  }
  const problems: string[] = [];
  const expected = opts.expected ?? Object.keys(installer.settings({ port: o.port, scriptPath: '' }, null));
  const missing = expected.filter((e) => !have.includes(e));
  if (missing.length) problems.push(`missing events: ${missing.join(', ')}`);
  const unknown = opts.unknownRejected ? have.filter((e) => !expected.includes(e)) : [];
  if (unknown.length) {
    return {
      id, area: 'hooks', status: 'error',
      message: `${name} ${opts.unknownRejected!.version} does not know the hook events ${unknown.join(', ')} in ${file}: it skips that whole settings file`,
      fix: install,
    };
  }
  const { ports, scripts } = ourTargets(loaded.data);
  const wrongPorts = [...ports].filter((p) => p !== o.port);
  if (wrongPorts.length) problems.push(`hooks post to port ${wrongPorts.join(', ')} but the server is configured for ${o.port}`);
  for (const script of scripts) {
    const resolved = script.replace(/^\$HOME(?=\/)/, o.env.HOME ?? '');
    if (!fs.existsSync(resolved)) problems.push(`hook script ${script} does not exist`);
  }
  if (loaded.data.disableAllHooks === true) problems.push('"disableAllHooks" is true, so no hook runs');
  problems.push(...(opts.problems ?? []));
  if (problems.length) return { id, area: 'hooks', status: 'warn', message: `${name} (${scope}): ${problems.join('; ')} — ${file}`, fix: install };
  return { id, area: 'hooks', status: 'ok', message: `${name} (${scope}): ${have.length} AgentMonitor hooks in ${file}` };
}

/** Whether an OTLP endpoint setting points at this server. */
export function pointsAtUs(text: string, port: number): boolean {
  return new RegExp(`(127\\.0\\.0\\.1|localhost|\\[::1\\]):${port}/api/otel`).test(text);
}
