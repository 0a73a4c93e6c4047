/** Copilot Chat in VS Code: the chat session files in VS Code's user folders. */
import { copilotChatProject, CopilotChatParser, isCopilotChatFile } from '../../importers/copilotChat';
import { cwdInside } from '../../importers/cwdMatch';
import type { AgentAdapter } from '../types';
import { copilotChatDoctor } from './doctor';
import { copilotChatIdentity } from './identity';

export const copilotChat: AgentAdapter = {
  doctor: copilotChatDoctor,
  identity: copilotChatIdentity,
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
