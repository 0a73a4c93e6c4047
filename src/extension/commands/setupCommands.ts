import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codexIdentity } from '../../core/agents/codex/identity';
import { agentFolder } from '../../core/agents/folders';
import { agentPresence } from '../../core/hooks/locations';
import { codexOtelConfig, otelEndpoint } from '../../core/setup/snippets';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import { planCodexTelemetry } from '../model/codexTelemetry';
import { runCli } from '../server/cliRunner';

function hooksEnv(c: Container): NodeJS.ProcessEnv {
  const env = c.serverEnv();
  // The hooks installer takes one Claude config folder: the first configured one.
  const first = c.config.settings.agentFolders.claudeConfigDirs?.[0];
  if (first) env.CLAUDE_CONFIG_DIR = first;
  return env;
}

async function configureCodexTelemetry(c: Container): Promise<boolean> {
  const s = c.config.settings;
  const home = agentFolder(codexIdentity, c.serverEnv());
  const file = path.join(home, 'config.toml');
  const target = { host: s.host, port: s.port, token: s.token || null };
  const snippet = codexOtelConfig(target);
  let existing: string | null = null;
  try {
    existing = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      void vscode.window.showErrorMessage(`AgentMonitor: cannot read ${file}: ${(err as Error).message}`);
      return false;
    }
  }
  const plan = planCodexTelemetry(existing, snippet, otelEndpoint(target));
  if (plan.action === 'already') {
    void vscode.window.showInformationMessage(`AgentMonitor: Codex telemetry already points at AgentMonitor (${file}).`);
    return true;
  }
  if (plan.action === 'conflict') {
    const doc = await vscode.workspace.openTextDocument({ language: 'toml', content: snippet });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    const pick = await vscode.window.showWarningMessage(
      `AgentMonitor: ${plan.reason}. Merge the settings shown beside into it by hand.`,
      'Open config.toml',
    );
    if (pick) await vscode.window.showTextDocument(vscode.Uri.file(file));
    return false;
  }
  const ok = await vscode.window.showInformationMessage(
    `Add AgentMonitor's [otel] settings to ${file}? Codex then reports every request, with tokens, to AgentMonitor.`,
    { modal: true },
    'Add',
  );
  if (ok !== 'Add') return false;
  fs.mkdirSync(home, { recursive: true });
  if (existing !== null) fs.writeFileSync(`${file}.agentmonitor.bak`, existing);
  const tmp = `${file}.agentmonitor-tmp`;
  fs.writeFileSync(tmp, plan.text);
  fs.renameSync(tmp, file);
  c.log.info(`Codex telemetry configured in ${file}${existing !== null ? ` (backup: ${file}.agentmonitor.bak)` : ''}`);
  const pick = await vscode.window.showInformationMessage(`AgentMonitor: Codex telemetry configured in ${file}. New Codex sessions report to AgentMonitor.`, 'Open config.toml');
  if (pick) await vscode.window.showTextDocument(vscode.Uri.file(file));
  return true;
}

async function runHooksCli(c: Container, args: string[], what: string, cwd?: string): Promise<boolean> {
  const r = await runCli(process.execPath, c.cliPath, args, { env: hooksEnv(c), cwd });
  const out = `${r.stdout}${r.stderr}`.trim();
  c.log.info(`agentmonitor ${args.join(' ')} → exit ${r.code}${out ? `\n${out}` : ''}`);
  if (r.code === 0) {
    void vscode.window.showInformationMessage(`AgentMonitor: ${what}. ${out.split('\n').slice(-1)[0] ?? ''}`.trim());
    return true;
  }
  const pick = await vscode.window.showErrorMessage(`AgentMonitor: ${what} failed: ${out.split('\n').slice(-3).join(' ') || `exit code ${r.code}`}`, 'Show Log');
  if (pick) c.log.show(true);
  return false;
}

export function registerSetupCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.installClaudeHooks, async (scopeArg?: 'user' | 'project') => {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
      let scope = scopeArg;
      if (!scope) {
        const items: (vscode.QuickPickItem & { scope: 'user' | 'project' })[] = [
          { label: 'User', description: '~/.claude/settings.json', detail: 'Every Claude Code session on this machine reports to AgentMonitor.', scope: 'user' },
        ];
        if (folder) items.push({ label: 'Project', description: `${folder.name}/.claude/settings.json`, detail: 'Only sessions in this workspace report.', scope: 'project' });
        const pick = await vscode.window.showQuickPick(items, { title: 'Install Claude Code hooks', placeHolder: 'Where should the hooks go?' });
        if (!pick) return false;
        scope = pick.scope;
      }
      if (scope === 'project' && !folder) {
        void vscode.window.showWarningMessage('AgentMonitor: open a folder to install project hooks.');
        return false;
      }
      const args = ['hooks', 'install', '--agent', 'claude', '--scope', scope];
      // The CLI refuses an agent that doctor calls not installed unless --force: ask here instead.
      const presence = agentPresence('claude-code', hooksEnv(c));
      if (!presence.installed) {
        const anyway = await vscode.window.showWarningMessage(
          `AgentMonitor: Claude Code does not look installed ("claude" is not on the editor's PATH and ${presence.dir} does not exist). Install the hooks anyway?`,
          { modal: true },
          'Install Anyway',
        );
        if (anyway !== 'Install Anyway') return false;
        args.push('--force');
      }
      return runHooksCli(c, args, `Claude Code hooks installed (${scope})`, scope === 'project' ? folder!.uri.fsPath : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.configureCodexTelemetry, () => configureCodexTelemetry(c)),
  ];
}
