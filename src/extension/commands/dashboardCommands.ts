import * as vscode from 'vscode';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import type { TreeNode } from '../model/agentsTreeModel';
import type { DashboardTarget } from '../../core/contracts/webview';
import { searchPickItems, searchQueryProblem, type SearchPickItem } from '../model/searchPick';

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
    vscode.commands.registerCommand(COMMANDS.searchSessions, (query?: string) => searchSessions(c, typeof query === 'string' ? query : undefined)),
  ];
}

/** Asks for words, lists the hits of `GET /api/search`, opens the picked one in the dashboard. */
async function searchSessions(c: Container, given?: string): Promise<void> {
  const q =
    given ??
    (await vscode.window.showInputBox({
      title: 'AgentMonitor: Search Sessions',
      prompt: 'Prompts, replies, tool inputs and file paths containing every word',
      placeHolder: 'e.g. migration rollback',
      validateInput: (v) => (v.trim() ? searchQueryProblem(v) : null),
    }));
  if (!q?.trim()) return;
  const problem = searchQueryProblem(q);
  if (problem) {
    void vscode.window.showWarningMessage(`AgentMonitor: ${problem}.`);
    return;
  }
  const client = c.live.client;
  if (!client) {
    void vscode.window.showWarningMessage('AgentMonitor: the server is not connected; search needs it.');
    return;
  }
  const res = await client.get('/api/search', { q: q.trim(), limit: 100 });
  const found = res.error ? null : searchPickItems(res.body);
  if (!found) {
    void vscode.window.showErrorMessage(`AgentMonitor: search failed: ${res.error ?? 'unexpected answer'}`);
    return;
  }
  if (!found.items.length) {
    void vscode.window.showInformationMessage(`AgentMonitor: no matches for "${q.trim()}".`);
    return;
  }
  const picked = await vscode.window.showQuickPick<SearchPickItem & vscode.QuickPickItem>(found.items, {
    title: `${found.items.length}${found.more ? '+' : ''} matches for "${q.trim()}"`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked) c.dashboard.show(picked.target);
}
