/**
 * The VS Code side of `WaitingNotice`: a warning notification (it stays until answered, where an
 * information message would fade) whose "Show Session" opens the session in the dashboard.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { WaitingNoticeHost } from '../model/waiting';

export const waitingNotificationHost: WaitingNoticeHost = {
  show: (message, actions) => vscode.window.showWarningMessage(`AgentMonitor: ${message}`, ...actions),
  showSession: (sessionId) => void vscode.commands.executeCommand(COMMANDS.openSessionInDashboard, sessionId),
};
