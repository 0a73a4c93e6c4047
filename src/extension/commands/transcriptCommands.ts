import * as vscode from 'vscode';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import { REVEAL_IN_OS_COMMAND, revealTranscript } from '../model/revealTranscript';
import { focusAgentTerminal } from '../views/agentTerminals';

function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const id = (arg as { sessionId?: unknown } | undefined)?.sessionId;
  return typeof id === 'string' ? id : undefined;
}

export function registerTranscriptCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.focusAgentTerminal, (node: unknown) => {
      const id = sessionIdOf(node);
      return focusAgentTerminal(id ? c.live.model.getSession(id) : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.revealTranscript, (node: unknown) => {
      const id = sessionIdOf(node);
      return revealTranscript(id ? c.live.model.getSession(id)?.transcript_path : null, {
        exists: (file) => vscode.workspace.fs.stat(vscode.Uri.file(file)).then(
          () => true,
          () => false,
        ),
        commands: () => vscode.commands.getCommands(true),
        remoteName: vscode.env.remoteName,
        openInEditor: (file) => vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true }),
        revealInOS: (file) => vscode.commands.executeCommand(REVEAL_IN_OS_COMMAND, vscode.Uri.file(file)),
        info: (m) => void vscode.window.showInformationMessage(m),
        warn: (m) => void vscode.window.showWarningMessage(m),
      });
    }),
  ];
}
