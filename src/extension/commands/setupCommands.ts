import * as vscode from 'vscode';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import { runCli } from '../server/cliRunner';

async function runHooksCli(c: Container, args: string[], what: string, cwd?: string): Promise<boolean> {
  const r = await runCli(process.execPath, c.cliPath, args, { env: c.serverEnv(), cwd });
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
      return runHooksCli(c, ['hooks', 'install', '--agent', 'claude', '--scope', scope], `Claude Code hooks installed (${scope})`, scope === 'project' ? folder!.uri.fsPath : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.configureCodexTelemetry, async () => {
      return runHooksCli(c, ['hooks', 'install', '--agent', 'codex'], 'Codex telemetry and hooks configured');
    }),
  ];
}
