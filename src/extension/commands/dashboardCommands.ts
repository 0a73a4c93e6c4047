import * as vscode from 'vscode';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import type { TreeNode } from '../model/agentsTreeModel';
import type { DashboardTarget } from '../../core/contracts/webview';

function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const n = arg as Partial<Extract<TreeNode, { kind: 'session' }>> | undefined;
  return typeof n?.sessionId === 'string' ? n.sessionId : undefined;
}

export function registerDashboardCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.openDashboard, (target?: DashboardTarget) => {
      c.dashboard.show(target && typeof target === 'object' ? target : {});
    }),
    vscode.commands.registerCommand(COMMANDS.openSessionInDashboard, (node: unknown) => {
      const id = sessionIdOf(node);
      c.dashboard.show(id ? { view: 'sessions', session_id: id } : { view: 'sessions' });
    }),
    vscode.commands.registerCommand(COMMANDS.copySessionId, async (node: unknown) => {
      const id = sessionIdOf(node);
      if (!id) return;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(`AgentMonitor: copied session id ${id}`, 3000);
    }),
    vscode.commands.registerCommand(COMMANDS.refreshAgents, () => c.live.refresh()),
  ];
}
