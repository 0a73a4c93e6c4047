/**
 * The VS Code side of `ServerProblemNotice`: a notification that the extension can close again.
 * `showErrorMessage` cannot be closed by its caller, so a recovered server left its toast behind;
 * a progress notification can (its task ends), and its message carries the actions as command links.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { ProblemNoticeHost, ProblemNotification } from '../model/serverProblemNotice';

const PORT_SETTING_ARGS = encodeURIComponent(JSON.stringify(['agentMonitor.port']));

/** The actions a server problem offers, as command links in the notification's message. */
export const PROBLEM_ACTIONS =
  `[Show Log](command:${COMMANDS.showServerLog}) · [Restart Server](command:${COMMANDS.restartServer}) · ` +
  `[Open Settings](command:workbench.action.openSettings?${PORT_SETTING_ARGS})`;

export const problemNotificationHost: ProblemNoticeHost = {
  show(message: string, onDismissed: () => void): ProblemNotification {
    let close = () => {};
    const closed = new Promise<void>((resolve) => (close = resolve));
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `AgentMonitor: ${message}`, cancellable: true },
      (progress, token) => {
        // A determinate step of 0: no running progress bar under a problem that is not progressing.
        progress.report({ increment: 0, message: PROBLEM_ACTIONS });
        token.onCancellationRequested(() => {
          onDismissed();
          close();
        });
        return closed;
      },
    );
    return { close: () => close() };
  },
};
