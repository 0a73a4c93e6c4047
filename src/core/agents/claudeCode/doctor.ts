/** What `agentmonitor doctor` says of Claude Code: its version, our hooks in both scopes, its telemetry and status line. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeEventPlan } from '../../hooks/hookSettings';
import { hookCheck, pointsAtUs, presenceCheck, type DoctorCheck, type DoctorOptions } from '../../hooks/doctorKit';
import { detectClaudeVersion, hookSettingsPath } from '../../hooks/locations';
import { readSettings } from '../../hooks/settingsFile';
import { chainedCommand, hasOurStatusLine } from '../../hooks/statusLine';
import { isRecord } from '../../hooks/summarize';
import { claudeCodeTelemetryShell } from '../../setup/snippets';
import { agentFolder } from '../folders';
import { claudeCodeIdentity } from './identity';

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
  const fix = `add to your shell profile (or the "env" object of ${path.join(agentFolder(claudeCodeIdentity, o.env), 'settings.json')}):\n${claudeCodeTelemetryShell({ port: o.port })}`;
  if (enabled && pointsAtUs(endpoint, o.port)) return { id: 'telemetry.claude-code', area: 'telemetry', status: 'ok', message: `Claude Code telemetry goes to ${endpoint}` };
  if (enabled && endpoint) return { id: 'telemetry.claude-code', area: 'telemetry', status: 'warn', message: `Claude Code telemetry goes to ${endpoint}, not to AgentMonitor`, fix };
  return { id: 'telemetry.claude-code', area: 'telemetry', status: 'missing', message: 'Claude Code telemetry (OTLP) is not pointed at AgentMonitor (optional: hooks and transcripts already give the picture; telemetry adds Claude Code’s own cost figures)', fix };
}

export function claudeDoctor(o: DoctorOptions): DoctorCheck[] {
  const version = detectClaudeVersion(o.env);
  const { check, installed } = presenceCheck('claude-code', 'Claude Code', o, version ? ` (${version.join('.')})` : '');
  const checks = [check];
  const plan = claudeEventPlan(version);
  const opts = { expected: [...plan.command, ...plan.http], unknownRejected: version ? { version: version.join('.') } : undefined };
  for (const scope of ['user', 'project'] as const) {
    const c = hookCheck('claude-code', scope, 'Claude Code', o, installed, opts);
    if (c) checks.push(c);
  }
  const scopes = checks.filter((c) => c.id.startsWith('hooks.claude-code.') && c.status !== 'missing' && c.status !== 'info' && c.status !== 'error');
  if (scopes.length > 1) {
    checks.push({
      id: 'hooks.claude-code.twice',
      area: 'hooks',
      status: 'warn',
      message: 'Claude Code: AgentMonitor hooks are installed for the user and for this project, so every hook is sent twice',
      fix: 'agentmonitor hooks uninstall --agent claude --scope project',
    });
  }
  if (installed) {
    checks.push(claudeTelemetryCheck(o));
    const sl = statusLineCheck(o);
    if (sl) checks.push(sl);
  }
  return checks;
}
