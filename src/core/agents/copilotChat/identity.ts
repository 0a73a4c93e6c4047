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
    defaultsText: 'AGENTMONITOR_VSCODE_USER_DIR or ~/.config/Code/User and its Insiders\'',
    lookedIn: 'workspaceStorage/*/chatSessions/ below each',
    env: 'AGENTMONITOR_VSCODE_USER_DIR',
    // The extension sets its own (comma-separated); else VS Code's and VS Code Insiders' per OS.
    defaults: (env, h) => {
      if (env.AGENTMONITOR_VSCODE_USER_DIR) return env.AGENTMONITOR_VSCODE_USER_DIR.split(',').map((s) => s.trim()).filter(Boolean);
      const home = env.HOME || h.home;
      const base =
        h.platform === 'darwin' ? h.join(home, 'Library', 'Application Support')
        : h.platform === 'win32' ? env.APPDATA || h.join(home, 'AppData', 'Roaming')
        : env.XDG_CONFIG_HOME || h.join(home, '.config');
      return ['Code', 'Code - Insiders'].map((n) => h.join(base, n, 'User'));
    },
  },
} as const satisfies AgentIdentity;
