/**
 * `agentmonitor hooks install|uninstall` for one agent and scope, as a library (the CLI and the
 * VS Code command both call it): read the settings file (refusing invalid JSON), merge or remove
 * our entries, write with a backup only when something changed, and install the command-hook
 * script at its stable path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLAUDE_FULL_VERSION, claudeEventPlan, hooksFor, installHooks, ourHookEvents, removeHooks, SettingsShapeError, type Version } from './hookSettings';
import { hookInstaller } from './hookAgents';
import { detectClaudeVersion, hookSettingsPath, installScript, installedScriptPath, type HookScope } from './locations';
import type { HookAgent } from './normalize';
import { readSettings, SettingsFileError, writeSettings } from './settingsFile';
import { installStatusLine, removeStatusLine } from './statusLine';

export interface HookInstallOptions {
  agent: HookAgent;
  scope: HookScope;
  port: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Compute the result without writing anything. */
  dryRun?: boolean;
  /** Claude Code's version (decides which events may be named); detected with `claude --version` when absent. */
  claudeVersion?: Version | null;
  /**
   * Claude Code only: make `agentmonitor statusline` its status-line command, run as `bin` (the
   * CLI's path). A status-line command the user had is chained, never dropped. Absent: not touched.
   */
  statusLine?: { bin: string };
}

/** What happened to Claude Code's `statusLine`: ours set, the user's chained behind ours, given back, or refused. */
export interface StatusLineReport {
  action: 'set' | 'chained' | 'unchanged' | 'refused' | 'removed' | 'restored';
  /** The user's own command, chained (install) or restored (uninstall). */
  command: string | null;
  message: string | null;
}

export interface HookInstallReport {
  agent: HookAgent;
  scope: HookScope;
  file: string;
  action: 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent';
  added: number;
  removed: number;
  backup: string | null;
  script: string | null;
  /** The Claude Code version the events were chosen for (null: unknown, a current one assumed). */
  claude_version: string | null;
  status_line: StatusLineReport | null;
  warnings: string[];
}

function shapeError(file: string, e: unknown): never {
  if (e instanceof SettingsShapeError) throw new SettingsFileError(file, null, null, `${e.message} (the file was left unchanged)`);
  throw e;
}

/** Whether Codex's config.toml turns hooks on (`hooks = true` under `[features]`). */
export function codexHooksEnabled(env: NodeJS.ProcessEnv): boolean | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(hookInstaller('codex').configDir(env), 'config.toml'), 'utf8');
  } catch {
    return null;
  }
  const section = /^\s*\[features\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(text);
  return !!section && /^\s*hooks\s*=\s*true\b/m.test(section[1]);
}

export function installAgentHooks(o: HookInstallOptions): HookInstallReport {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const file = hookSettingsPath(o.agent, o.scope, env, cwd);
  const loaded = readSettings(file);
  const scriptPath = o.scope === 'project' ? '$HOME/.agentmonitor/hooks/agentmonitor-hook.sh' : installedScriptPath(env);
  const version = o.agent === 'claude-code' ? (o.claudeVersion !== undefined ? o.claudeVersion : detectClaudeVersion(env)) : null;
  let merged;
  try {
    merged = installHooks(loaded.data, hooksFor(o.agent, { port: o.port, scriptPath }, version));
  } catch (e) {
    shapeError(file, e);
  }
  const warnings: string[] = [];
  let statusLine: StatusLineReport | null = null;
  const hooksChanged = merged.changed;
  if (o.statusLine && o.agent === 'claude-code') {
    const sl = installStatusLine(merged.settings, o.statusLine.bin, o.port);
    if (sl.refused) {
      statusLine = { action: 'refused', command: null, message: `${file}: ${sl.refused}` };
      warnings.push(statusLine.message!);
    } else {
      statusLine = { action: !sl.changed ? 'unchanged' : sl.chained ? 'chained' : 'set', command: sl.chained, message: null };
      if (sl.changed) merged = { ...merged, settings: sl.settings, changed: true };
    }
  }
  if (version && o.agent === 'claude-code' && !claudeEventPlan(version).http.length) {
    warnings.push(
      `Claude Code ${version.join('.')} is older than ${CLAUDE_FULL_VERSION.join('.')}: only the hook events it knows are registered, ` +
        'all through the command-hook script (older versions skip a settings file that names an unknown event); update Claude Code and install again for the rest',
    );
  }
  let script: string | null = installedScriptPath(env);
  if (!o.dryRun) script = installScript(env).path;
  let backup: string | null = null;
  if (merged.changed && !o.dryRun) backup = writeSettings(file, merged.settings);
  if (o.agent === 'codex' && codexHooksEnabled(env) !== true) {
    warnings.push(`Codex runs hooks only with "hooks = true" under [features] in ${path.join(hookInstaller('codex').configDir(env), 'config.toml')}, and only once you trust them`);
  }
  if (o.agent === 'claude-code') {
    const other = hookSettingsPath('claude-code', o.scope === 'user' ? 'project' : 'user', env, cwd);
    try {
      if (other !== file && ourHookEvents(readSettings(other).data).length) {
        warnings.push(`AgentMonitor hooks are also in ${other}: every hook would be sent twice; remove one with "agentmonitor hooks uninstall --scope ${o.scope === 'user' ? 'project' : 'user'}"`);
      }
    } catch {
      // the other file is not ours to judge here; doctor reports it
    }
  }
  return {
    agent: o.agent,
    scope: o.scope,
    file,
    action: !merged.changed ? 'unchanged' : !hooksChanged || (loaded.exists && merged.removed) ? 'updated' : 'installed',
    added: merged.added,
    removed: merged.removed,
    backup,
    script,
    claude_version: version ? version.join('.') : null,
    status_line: statusLine,
    warnings,
  };
}

export function uninstallAgentHooks(o: HookInstallOptions): HookInstallReport {
  const env = o.env ?? process.env;
  const file = hookSettingsPath(o.agent, o.scope, env, o.cwd ?? process.cwd());
  const loaded = readSettings(file);
  const base = { agent: o.agent, scope: o.scope, file, added: 0, script: null, claude_version: null, status_line: null, warnings: [] as string[] };
  if (!loaded.exists) return { ...base, action: 'absent', removed: 0, backup: null };
  let merged;
  try {
    merged = removeHooks(loaded.data);
  } catch (e) {
    shapeError(file, e);
  }
  const sl = o.agent === 'claude-code' ? removeStatusLine(merged.settings) : null;
  const statusLine: StatusLineReport | null = sl?.changed ? { action: sl.chained ? 'restored' : 'removed', command: sl.chained, message: null } : null;
  if (!merged.changed && !sl?.changed) return { ...base, action: 'absent', removed: 0, backup: null };
  const backup = o.dryRun ? null : writeSettings(file, sl?.changed ? sl.settings : merged.settings);
  return { ...base, action: 'removed', removed: merged.removed, backup, status_line: statusLine };
}
