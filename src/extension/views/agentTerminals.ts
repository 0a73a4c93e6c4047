/**
 * "Focus Terminal" (issue 18): shows the integrated terminal that runs a session's agent, matched
 * by process ancestry (`model/agentTerminal.ts`), else by the terminal's folder (said to be a guess),
 * else says that no terminal of this window runs it.
 */
import * as vscode from 'vscode';
import type { Session } from '../../core/contracts/api';
import { findAgentTerminals, readProcesses, type TerminalInfo, type TerminalMatch } from '../model/agentTerminal';
import { agentLabel, projectName } from '../model/format';

function cwdOf(t: vscode.Terminal): string | null {
  // `shellIntegration.cwd` is VS Code 1.93+; the engine floor (1.90) types do not have it.
  const live = (t as { shellIntegration?: { cwd?: vscode.Uri } }).shellIntegration?.cwd;
  if (live) return live.fsPath;
  const opts = t.creationOptions as vscode.TerminalOptions;
  const cwd = opts && 'cwd' in opts ? opts.cwd : undefined;
  return typeof cwd === 'string' ? cwd : cwd ? cwd.fsPath : null;
}

async function terminals(): Promise<TerminalInfo<vscode.Terminal>[]> {
  return Promise.all(
    vscode.window.terminals.map(async (t) => ({ terminal: t, name: t.name, pid: (await t.processId) ?? null, cwd: cwdOf(t) })),
  );
}

export async function agentTerminalsOf(s: Pick<Session, 'agent_type' | 'project'>): Promise<TerminalMatch<vscode.Terminal>> {
  const list = await terminals();
  if (!list.length) return { how: 'none', terminals: [] };
  return findAgentTerminals(s, list, readProcesses());
}

export async function focusAgentTerminal(s: Session | undefined): Promise<void> {
  if (!s) {
    void vscode.window.showInformationMessage('AgentMonitor: pick a session in the Agents view to focus its terminal.');
    return;
  }
  const agent = agentLabel(s.agent_type);
  const where = projectName(s.project) ?? 'its folder';
  if (s.ended_at || s.state === 'ended') {
    void vscode.window.showInformationMessage(`AgentMonitor: this ${agent} session has ended; no terminal runs it any more.`);
    return;
  }
  const m = await agentTerminalsOf(s);
  if (m.how === 'none') {
    void vscode.window.showInformationMessage(`AgentMonitor: no terminal of this window runs ${agent} in ${where} (it may run in another window or an external terminal).`);
    return;
  }
  let pick = m.terminals[0];
  if (m.terminals.length > 1) {
    const chosen = await vscode.window.showQuickPick(
      m.terminals.map((t) => ({ label: t.name, description: t.cwd ?? undefined, t })),
      { title: `${m.terminals.length} terminals ${m.how === 'process' ? `run ${agent}` : `are in ${where}`}: which one?` },
    );
    if (!chosen) return;
    pick = chosen.t;
  }
  pick.terminal.show(false);
  if (m.how === 'folder') {
    vscode.window.setStatusBarMessage(`AgentMonitor: no terminal runs ${agent} as far as the process list tells; "${pick.name}" is in ${where}`, 6000);
  }
}
