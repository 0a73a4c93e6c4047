import type { AgentIdentity } from '../identity';

export const copilotCliIdentity = {
  id: 'copilot',
  agentType: 'copilot-cli',
  aliases: ['copilot_cli'],
  name: 'Copilot CLI',
  icon: 'copilot',
  // Its session store stands in for sessions without a log.
  standInUsage: true,
  process: { bins: ['copilot'], scripts: ['copilot'] },
  folders: {
    request: 'copilot_dirs',
    config: 'copilotDirs',
    option: 'copilot-dir',
    holds: 'a Copilot CLI folder holding session-state/',
    logs: 'Copilot CLI sessions',
    defaultsText: 'COPILOT_HOME or ~/.copilot',
    lookedIn: 'session-state/ below each',
    env: 'COPILOT_HOME',
    setting: { key: 'copilotHome', description: 'Copilot CLI folder (holding `session-state/`), like `COPILOT_HOME`. Empty: `COPILOT_HOME` or `~/.copilot`.' },
    defaults: (env, h) => [env.COPILOT_HOME || h.join(h.home, '.copilot')],
  },
} as const satisfies AgentIdentity;
