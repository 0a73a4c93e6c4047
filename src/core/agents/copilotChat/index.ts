/** Copilot Chat in VS Code: the chat session files in VS Code's user folders. */
import * as os from 'node:os';
import * as path from 'node:path';
import { copilotChatProject, CopilotChatParser, isCopilotChatFile } from '../../importers/copilotChat';
import { cwdInside } from '../../importers/cwdMatch';
import type { AgentAdapter } from '../types';
import { copilotChatIdentity } from './identity';

/**
 * VS Code's user folders, where Copilot Chat's session files are: `AGENTMONITOR_VSCODE_USER_DIR`
 * (comma-separated; the extension sets its own), else VS Code's and VS Code Insiders' per OS.
 */
export function defaultCopilotChatDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.AGENTMONITOR_VSCODE_USER_DIR) return env.AGENTMONITOR_VSCODE_USER_DIR.split(',').map((s) => s.trim()).filter(Boolean);
  const home = env.HOME || os.homedir();
  const base =
    process.platform === 'darwin' ? path.join(home, 'Library', 'Application Support')
    : process.platform === 'win32' ? env.APPDATA || path.join(home, 'AppData', 'Roaming')
    : env.XDG_CONFIG_HOME || path.join(home, '.config');
  return ['Code', 'Code - Insiders'].map((n) => path.join(base, n, 'User'));
}

export const copilotChat: AgentAdapter = {
  identity: copilotChatIdentity,
  defaultDirs: defaultCopilotChatDirs,
  logSources: [
    {
      kind: 'copilot-chat',
      agentType: 'copilot-chat',
      // A VS Code user folder: each window's storage, and the empty windows' chats.
      subdirs: ['workspaceStorage', 'globalStorage/emptyWindowChatSessions'],
      accepts: isCopilotChatFile,
      inCwd: (file, folders) => cwdInside(copilotChatProject(file), folders),
      maxDepth: 2,
      wholeFile: () => true,
      parser: (file) => new CopilotChatParser(file),
    },
  ],
};
