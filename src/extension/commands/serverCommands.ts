import * as vscode from 'vscode';
import type { Container } from '../container';
import { COMMANDS } from '../ids';

export function registerServerCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      const s = await c.supervisor.restart();
      if (s.kind === 'owner') void vscode.window.showInformationMessage(`AgentMonitor: server running on ${s.url}`);
      else if (s.kind === 'follower') void vscode.window.showInformationMessage(`AgentMonitor: following the server on ${s.url} (started by another window or process)`);
      return s.kind;
    }),
    vscode.commands.registerCommand(COMMANDS.showServerLog, () => c.log.show(true)),
    vscode.commands.registerCommand(COMMANDS.showServerActions, async () => {
      const s = c.supervisor.state;
      const detail = s.kind === 'failed' || s.kind === 'foreign' ? s.message : `Server state: ${s.kind}`;
      const pick = await vscode.window.showQuickPick(
        [
          { label: '$(debug-restart) Restart Server', id: 'restart' },
          { label: '$(output) Show Server Log', id: 'log' },
          { label: '$(gear) Change Port Setting', id: 'settings' },
        ],
        { title: 'AgentMonitor', placeHolder: detail },
      );
      if (pick?.id === 'restart') await vscode.commands.executeCommand(COMMANDS.restartServer);
      else if (pick?.id === 'log') c.log.show(true);
      else if (pick?.id === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'agentMonitor.port');
    }),
  ];
}
