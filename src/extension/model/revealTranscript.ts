/**
 * "Reveal Transcript File": opens the transcript in an editor, and also shows it in the OS file
 * manager where there is one to show it in. Remote hosts (SSH, WSL, containers, code-server) have
 * no `revealFileInOS` for the remote's files, so the editor alone must do. Pure: the editor's
 * calls are injected.
 */
export interface RevealHost {
  /** Whether the file exists (where the extension host runs). */
  exists(file: string): PromiseLike<boolean>;
  /** Ids of the commands the editor has (`vscode.commands.getCommands`). */
  commands(): PromiseLike<readonly string[]>;
  /** The window's remote (`vscode.env.remoteName`); undefined for a local window. */
  remoteName: string | undefined;
  openInEditor(file: string): PromiseLike<unknown>;
  revealInOS(file: string): PromiseLike<unknown>;
  info(message: string): void;
  warn(message: string): void;
}

export type RevealOutcome = 'no-transcript' | 'not-found' | 'opened' | 'opened-and-revealed';

export const REVEAL_IN_OS_COMMAND = 'revealFileInOS';

export async function revealTranscript(file: string | null | undefined, host: RevealHost): Promise<RevealOutcome> {
  if (!file) {
    host.info('AgentMonitor: this session has no known transcript file.');
    return 'no-transcript';
  }
  if (!(await host.exists(file))) {
    host.warn(`AgentMonitor: transcript file not found: ${file}`);
    return 'not-found';
  }
  await host.openInEditor(file);
  if (host.remoteName !== undefined || !(await host.commands()).includes(REVEAL_IN_OS_COMMAND)) return 'opened';
  try {
    await host.revealInOS(file);
    return 'opened-and-revealed';
  } catch {
    return 'opened';
  }
}
