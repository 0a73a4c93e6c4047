/**
 * What `agentmonitor doctor` looks at: which agents are installed, which of our hooks and which
 * telemetry settings they have, and whether the server answers — each with the command or the
 * snippet that fixes what is missing. Reads files and PATH, asks `/api/health`; writes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeCodeTelemetryShell, codexOtelConfig } from '../setup/snippets';
import { claudeEventPlan, CODEX_EVENTS, isOurHandler, ourHookEvents, type Version } from './hookSettings';
import { codexHooksEnabled } from './installer';
import { hostPaths } from '../agents/folders';
import { copilotChatIdentity } from '../agents/copilotChat/identity';
import { agentPresence, claudeConfigDir, codexHome, copilotHome, detectClaudeVersion, findOnPath, geminiHome, hookSettingsPath, opencodeDataDir, type HookScope } from './locations';
import type { HookAgent } from './normalize';
import { readSettings, type LoadedSettings } from './settingsFile';
import { chainedCommand, hasOurStatusLine } from './statusLine';
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

export interface DoctorReport {
  generated_at: string;
  server_url: string;
  /** False when a check is `error` or `missing` in the agents' hooks or the server. */
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: string;
  port: number;
  healthTimeoutMs?: number;
}

const AGENTS: { agent: HookAgent; name: string }[] = [
  { agent: 'claude-code', name: 'Claude Code' },
  { agent: 'codex', name: 'Codex' },
];

function expectedEvents(agent: HookAgent, claudeVersion: Version | null): string[] {
  if (agent === 'codex') return [...CODEX_EVENTS];
  const plan = claudeEventPlan(claudeVersion);
  return [...plan.command, ...plan.http];
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

function hookCheck(agent: HookAgent, scope: HookScope, name: string, o: DoctorOptions, installed: boolean, claudeVersion: Version | null): DoctorCheck | null {
  const id = `hooks.${agent}.${scope}`;
  const file = hookSettingsPath(agent, scope, o.env, o.cwd);
  const install = `agentmonitor hooks install --agent ${agent === 'claude-code' ? 'claude' : 'codex'}${scope === 'project' ? ' --scope project' : ''}${o.port !== 3142 ? ` --port ${o.port}` : ''}`;
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
  const expected = expectedEvents(agent, claudeVersion);
  const missing = expected.filter((e) => !have.includes(e));
  if (missing.length) problems.push(`missing events: ${missing.join(', ')}`);
  const unknown = agent === 'claude-code' && claudeVersion ? have.filter((e) => !expected.includes(e)) : [];
  if (unknown.length) {
    return {
      id, area: 'hooks', status: 'error',
      message: `${name} ${claudeVersion!.join('.')} does not know the hook events ${unknown.join(', ')} in ${file}: it skips that whole settings file`,
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
  if (agent === 'codex' && codexHooksEnabled(o.env) !== true) problems.push(`hooks are not enabled in ${path.join(codexHome(o.env), 'config.toml')} ([features] hooks = true)`);
  if (problems.length) return { id, area: 'hooks', status: 'warn', message: `${name} (${scope}): ${problems.join('; ')} — ${file}`, fix: install };
  return { id, area: 'hooks', status: 'ok', message: `${name} (${scope}): ${have.length} AgentMonitor hooks in ${file}` };
}

/** Claude Code's statusLine (user settings): ours, on the right port, naming a CLI that still exists. */
function statusLineCheck(o: DoctorOptions): DoctorCheck | null {
  const id = 'statusline.claude-code';
  const file = hookSettingsPath('claude-code', 'user', o.env, o.cwd);
  let data: Record<string, unknown>;
  try {
    data = readSettings(file).data;
  } catch {
    return null; // the hooks check reports the file
  }
  const fix = `agentmonitor hooks install --agent claude${o.port !== 3142 ? ` --port ${o.port}` : ''}`;
  const why = 'the plan limits of a claude.ai subscription (5-hour and 7-day windows) reach AgentMonitor through it';
  if (!hasOurStatusLine(data)) {
    const own = isRecord(data.statusLine);
    return {
      id,
      area: 'telemetry',
      status: 'missing',
      message: own
        ? `Claude Code's status line in ${file} is your own command, not "agentmonitor statusline" (optional: ${why}; install chains yours, which keeps printing)`
        : `Claude Code has no status line in ${file} (optional: ${why})`,
      fix,
    };
  }
  const command = (data.statusLine as { command: string }).command;
  const problems: string[] = [];
  const port = Number(/ statusline --port (\d+)/.exec(command)?.[1]);
  if (port !== o.port) problems.push(`it posts to port ${port} but the server is configured for ${o.port}`);
  for (const m of command.matchAll(/'([^']+\.(?:js|ts))'|(?:^|\s)(\/\S+\.(?:js|ts))(?=\s)/g)) {
    const script = m[1] ?? m[2];
    if (!fs.existsSync(script)) problems.push(`it runs ${script}, which no longer exists (AgentMonitor moved or was updated)`);
  }
  const chained = chainedCommand(command);
  if (problems.length) return { id, area: 'telemetry', status: 'warn', message: `Claude Code's status line: ${problems.join('; ')} — ${file}`, fix };
  return { id, area: 'telemetry', status: 'ok', message: `Claude Code's status line is "agentmonitor statusline" (port ${port})${chained ? `, running your own command first: ${chained}` : ''}` };
}

function pointsAtUs(text: string, port: number): boolean {
  return new RegExp(`(127\\.0\\.0\\.1|localhost|\\[::1\\]):${port}/api/otel`).test(text);
}

function claudeTelemetryCheck(o: DoctorOptions): DoctorCheck {
  const fromSettings = (() => {
    try {
      const env = readSettings(hookSettingsPath('claude-code', 'user', o.env, o.cwd)).data.env;
      return isRecord(env) ? env : {};
    } catch {
      return {};
    }
  })();
  const value = (k: string) => (typeof fromSettings[k] === 'string' ? (fromSettings[k] as string) : o.env[k]);
  const enabled = value('CLAUDE_CODE_ENABLE_TELEMETRY') === '1';
  const endpoint = value('OTEL_EXPORTER_OTLP_ENDPOINT') ?? value('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') ?? '';
  const fix = `add to your shell profile (or the "env" object of ${path.join(claudeConfigDir(o.env), 'settings.json')}):\n${claudeCodeTelemetryShell({ port: o.port })}`;
  if (enabled && pointsAtUs(endpoint, o.port)) return { id: 'telemetry.claude-code', area: 'telemetry', status: 'ok', message: `Claude Code telemetry goes to ${endpoint}` };
  if (enabled && endpoint) return { id: 'telemetry.claude-code', area: 'telemetry', status: 'warn', message: `Claude Code telemetry goes to ${endpoint}, not to AgentMonitor`, fix };
  return { id: 'telemetry.claude-code', area: 'telemetry', status: 'missing', message: 'Claude Code telemetry (OTLP) is not pointed at AgentMonitor (optional: hooks and transcripts already give the picture; telemetry adds Claude Code’s own cost figures)', fix };
}

function codexTelemetryCheck(o: DoctorOptions): DoctorCheck {
  const file = path.join(codexHome(o.env), 'config.toml');
  const fix = `add to ${file}:\n${codexOtelConfig({ port: o.port }).trimEnd()}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = '';
  }
  const section = /^\s*\[otel\]\s*$([\s\S]*?)(?=^\s*\[(?!\s*otel\.)|(?![\s\S]))/m.exec(text);
  if (section && pointsAtUs(section[1], o.port)) return { id: 'telemetry.codex', area: 'telemetry', status: 'ok', message: `Codex: [otel] in ${file} exports to AgentMonitor` };
  if (section) return { id: 'telemetry.codex', area: 'telemetry', status: 'warn', message: `Codex: [otel] in ${file} does not export to 127.0.0.1:${o.port}/api/otel`, fix };
  return { id: 'telemetry.codex', area: 'telemetry', status: 'missing', message: `Codex: no [otel] section in ${file} (optional: telemetry adds Codex's own usage events live)`, fix };
}

/** Gemini CLI, when it is there: read from its chat logs only (no hooks or telemetry of ours yet). */
function geminiCheck(o: DoctorOptions): DoctorCheck | null {
  const bin = findOnPath('gemini', o.env);
  const dir = geminiHome(o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return null;
  const where = path.join(dir, 'tmp', '<project>', 'chats');
  return {
    id: 'agents.gemini-cli',
    area: 'agents',
    status: 'ok',
    message: `Gemini CLI: ${bin ?? '"gemini" not on PATH'}${hasDir ? `, config in ${dir}` : ''}; AgentMonitor reads its chat logs (${where}: \`agentmonitor import\`, and live while the server runs); its telemetry may go to AgentMonitor too (README, Gemini CLI telemetry); its hooks: agentmonitor hooks install --agent gemini`,
  };
}

/** Copilot CLI, when it is there: read from its session logs (and OTLP when the user points it here). */
function copilotCheck(o: DoctorOptions): DoctorCheck | null {
  const bin = findOnPath('copilot', o.env);
  const dir = copilotHome(o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return null;
  const where = path.join(dir, 'session-state', '<session>', 'events.jsonl');
  return {
    id: 'agents.copilot-cli',
    area: 'agents',
    status: 'ok',
    message: `Copilot CLI: ${bin ?? '"copilot" not on PATH'}${hasDir ? `, config in ${dir}` : ''}; AgentMonitor reads its session logs (${where}: \`agentmonitor import\`, and live while the server runs); its telemetry may go to AgentMonitor too (README, Copilot CLI telemetry); no hooks for it (its hook input names no tool call or message id to match)`,
  };
}

/** OpenCode, when it is there: read from its database (no hooks or telemetry of ours). */
function opencodeCheck(o: DoctorOptions): DoctorCheck | null {
  const bin = findOnPath('opencode', o.env);
  const dir = opencodeDataDir(o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return null;
  return {
    id: 'agents.opencode',
    area: 'agents',
    status: 'ok',
    message: `OpenCode: ${bin ?? '"opencode" not on PATH'}${hasDir ? `, data in ${dir}` : ''}; AgentMonitor reads its database (${path.join(dir, 'opencode.db')}: \`agentmonitor import\`, and live while the server runs); no hooks or telemetry for it`,
  };
}

/** Copilot Chat in VS Code, when a VS Code user folder has chat sessions: read from those files. */
function copilotChatCheck(o: DoctorOptions): DoctorCheck | null {
  const dirs = copilotChatIdentity.folders.defaults(o.env, hostPaths()).filter((d) => fs.existsSync(path.join(d, 'workspaceStorage')) || fs.existsSync(path.join(d, 'globalStorage', 'emptyWindowChatSessions')));
  if (!dirs.length) return null;
  return {
    id: 'agents.copilot-chat',
    area: 'agents',
    status: 'ok',
    message: `Copilot Chat: AgentMonitor reads VS Code's chat session files in ${dirs.join(', ')} (\`agentmonitor import\`, and live while the server runs); their tokens are approximate (one count per request, no cache split)`,
  };
}

async function serverCheck(o: DoctorOptions, url: string): Promise<DoctorCheck> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.healthTimeoutMs ?? 1500);
  try {
    const r = await fetch(`${url}/api/health`, { signal: ctl.signal });
    const body = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    if (body?.service !== 'agentmonitor') {
      return { id: 'server', area: 'server', status: 'error', message: `something other than AgentMonitor answers on ${url} (HTTP ${r.status})`, fix: 'stop that program or run AgentMonitor on another port: AGENTMONITOR_PORT=<port> agentmonitor serve, then agentmonitor hooks install --port <port>' };
    }
    return { id: 'server', area: 'server', status: 'ok', message: `AgentMonitor ${String(body.version)} answers on ${url} (pid ${String(body.pid)}, database ${String(body.db_path)})` };
  } catch {
    return { id: 'server', area: 'server', status: 'missing', message: `no server answers on ${url}`, fix: `agentmonitor serve${o.port !== 3142 ? ` --port ${o.port}` : ''} (or open VS Code with the AgentMonitor extension)` };
  } finally {
    clearTimeout(timer);
  }
}

export async function runDoctorChecks(o: DoctorOptions): Promise<DoctorReport> {
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const checks: DoctorCheck[] = [];
  const installed = new Map<HookAgent, boolean>();
  const claudeVersion = detectClaudeVersion(o.env);
  for (const a of AGENTS) {
    const { installed: present, binName, bin, dir, hasDir } = agentPresence(a.agent, o.env);
    installed.set(a.agent, present);
    checks.push({
      id: `agents.${a.agent}`,
      area: 'agents',
      status: present ? 'ok' : 'info',
      message: present
        ? `${a.name}: ${bin ? `${bin}${a.agent === 'claude-code' && claudeVersion ? ` (${claudeVersion.join('.')})` : ''}` : `"${binName}" not on PATH`}${hasDir ? `, config in ${dir}` : ''}`
        : `${a.name} is not installed ("${binName}" not on PATH, no ${dir})`,
    });
  }
  const gemini = geminiCheck(o);
  if (gemini) checks.push(gemini);
  const copilot = copilotCheck(o);
  if (copilot) checks.push(copilot);
  const opencode = opencodeCheck(o);
  if (opencode) checks.push(opencode);
  const copilotChat = copilotChatCheck(o);
  if (copilotChat) checks.push(copilotChat);
  for (const a of AGENTS) {
    for (const scope of a.agent === 'claude-code' ? (['user', 'project'] as const) : (['user'] as const)) {
      const c = hookCheck(a.agent, scope, a.name, o, installed.get(a.agent)!, claudeVersion);
      if (c) checks.push(c);
    }
  }
  const claudeScopes = checks.filter((c) => c.id.startsWith('hooks.claude-code.') && c.status !== 'missing' && c.status !== 'info' && c.status !== 'error');
  if (claudeScopes.length > 1) {
    checks.push({
      id: 'hooks.claude-code.twice',
      area: 'hooks',
      status: 'warn',
      message: 'Claude Code: AgentMonitor hooks are installed for the user and for this project, so every hook is sent twice',
      fix: 'agentmonitor hooks uninstall --agent claude --scope project',
    });
  }
  if (installed.get('claude-code')) {
    checks.push(claudeTelemetryCheck(o));
    const sl = statusLineCheck(o);
    if (sl) checks.push(sl);
  }
  if (installed.get('codex')) checks.push(codexTelemetryCheck(o));
  checks.push(await serverCheck(o, url));
  const ok = !checks.some((c) => c.status === 'error' || (c.status === 'missing' && c.area !== 'telemetry'));
  return { generated_at: new Date().toISOString(), server_url: url, ok, checks };
}
