import type { AgentIdentity } from '../identity';

export const copilotCliIdentity = {
  id: 'copilot',
  agentType: 'copilot-cli',
  aliases: ['copilot_cli'],
  name: 'Copilot CLI',
  icon: 'copilot',
  process: { bins: ['copilot'], scripts: ['copilot'] },
  folders: {
    request: 'copilot_dirs',
    config: 'copilotDirs',
    option: 'copilot-dir',
    holds: 'a Copilot CLI folder holding session-state/',
    logs: 'Copilot CLI sessions',
    defaults: 'COPILOT_HOME or ~/.copilot',
    lookedIn: 'session-state/ below each',
    env: 'COPILOT_HOME',
  },
} as const satisfies AgentIdentity;
