/**
 * Where agents keep their hook settings (each adapter says: an agent's own folder is
 * `agents/folders.ts`' `agentFolder`), and where our command-hook script is installed (a stable
 * path under `~/.agentmonitor`, since the npm package's own path changes with every update).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { HOOK_SCRIPT_NAME, parseVersion, type Version } from './hookSettings';
import { hookInstaller } from './hookAgents';
import type { HookAgent } from './normalize';

export type HookScope = 'user' | 'project';

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

/** The settings file our hooks go into, or an error message when the scope does not exist for the agent. */
export function hookSettingsPath(agent: HookAgent, scope: HookScope, env: NodeJS.ProcessEnv, cwd: string): string {
  return hookInstaller(agent).settingsFile(scope, env, cwd);
}

export function installedScriptPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(home(env), '.agentmonitor', 'hooks', HOOK_SCRIPT_NAME);
}

/** The script shipped with the package (`hooks/claude-code/` at the package root). */
export function bundledScriptPath(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'hooks', 'claude-code', HOOK_SCRIPT_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find hooks/claude-code/${HOOK_SCRIPT_NAME} above ${from}: is the package complete?`);
}

/** Copy the script to its stable place (only when its content changed); returns its path. */
export function installScript(env: NodeJS.ProcessEnv = process.env): { path: string; changed: boolean } {
  const target = installedScriptPath(env);
  const source = fs.readFileSync(bundledScriptPath());
  let current: Buffer | null;
  try {
    current = fs.readFileSync(target);
  } catch {
    current = null;
  }
  if (current && current.equals(source)) {
    fs.chmodSync(target, 0o755);
    return { path: target, changed: false };
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, source, { mode: 0o755 });
  fs.renameSync(tmp, target);
  return { path: target, changed: true };
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The installed Claude Code's version from `claude --version`, or null when it cannot be run. */
export function detectClaudeVersion(env: NodeJS.ProcessEnv = process.env): Version | null {
  const bin = findOnPath('claude', env);
  if (!bin) return null;
  try {
    const out = execFileSync(bin, ['--version'], { env, timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return parseVersion(out);
  } catch {
    return null;
  }
}

/** Whether an agent counts as installed (its binary on PATH, or its config folder exists), as doctor says. */
export function agentPresence(
  agent: HookAgent,
  env: NodeJS.ProcessEnv,
): { installed: boolean; binName: string; bin: string | null; dir: string; hasDir: boolean } {
  const { binName, configDir } = hookInstaller(agent);
  const bin = findOnPath(binName, env);
  const dir = configDir(env);
  const hasDir = fs.existsSync(dir);
  return { installed: !!bin || hasDir, binName, bin, dir, hasDir };
}
