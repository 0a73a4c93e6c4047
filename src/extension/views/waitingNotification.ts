/**
 * The VS Code side of `WaitingNotice`: a warning notification (it stays until answered, where an
 * information message would fade) whose "Show Session" opens the session in the dashboard and, when
 * a terminal of this window runs the agent (by process ancestry), "Focus Terminal" shows it.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { WaitingNoticeHost } from '../model/waiting';
import { agentTerminalsOf, focusAgentTerminal } from './agentTerminals';

export const waitingNotificationHost: WaitingNoticeHost = {
  show: (message, actions) => vscode.window.showWarningMessage(`AgentMonitor: ${message}`, ...actions),
  showSession: (sessionId) => void vscode.commands.executeCommand(COMMANDS.openSessionInDashboard, sessionId),
  runsInTerminal: async (s) => (await agentTerminalsOf(s).catch(() => null))?.how === 'process',
  focusTerminal: (s) => void focusAgentTerminal(s),
};
