import type { AgentIdentity } from '../identity';

export const copilotChatIdentity = {
  id: 'copilot-chat',
  agentType: 'copilot-chat',
  name: 'Copilot Chat',
  icon: 'comment-discussion',
  folders: {
    request: 'copilot_chat_dirs',
    config: 'copilotChatDirs',
    option: 'copilot-chat-dir',
    holds: 'a VS Code user folder holding workspaceStorage/',
    logs: "Copilot Chat's session files in VS Code's user folder",
    defaults: 'AGENTMONITOR_VSCODE_USER_DIR or ~/.config/Code/User and its Insiders\'',
    lookedIn: 'workspaceStorage/*/chatSessions/ below each',
    env: 'AGENTMONITOR_VSCODE_USER_DIR',
  },
} as const satisfies AgentIdentity;
