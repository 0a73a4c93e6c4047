import type { AgentIdentity } from '../identity';

export const codexIdentity = {
  id: 'codex',
  agentType: 'codex',
  name: 'Codex',
  icon: 'terminal',
  process: { bins: ['codex'], scripts: ['codex'] },
  folders: {
    request: 'codex_dirs',
    config: 'codexDirs',
    option: 'codex-dir',
    holds: 'a Codex home holding sessions/',
    logs: 'Codex rollouts',
    defaultsText: 'CODEX_HOME or ~/.codex',
    lookedIn: 'sessions/ and archived_sessions/ below each',
    env: 'CODEX_HOME',
    setting: { key: 'codexHome', description: 'Codex home folder (holding `sessions/`), like `CODEX_HOME`. Empty: `CODEX_HOME` or `~/.codex`.' },
    defaults: (env, h) => [env.CODEX_HOME || h.join(h.home, '.codex')],
  },
} as const satisfies AgentIdentity;
