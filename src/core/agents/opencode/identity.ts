import type { AgentIdentity } from '../identity';

export const opencodeIdentity = {
  id: 'opencode',
  agentType: 'opencode',
  name: 'OpenCode',
  icon: 'code',
  process: { bins: ['opencode'], scripts: ['opencode'] },
  folders: {
    request: 'opencode_dirs',
    config: 'opencodeDirs',
    option: 'opencode-dir',
    holds: 'an OpenCode data folder holding opencode.db',
    logs: "OpenCode's database",
    defaultsText: 'XDG_DATA_HOME/opencode or ~/.local/share/opencode',
    lookedIn: 'opencode.db in each',
    env: 'XDG_DATA_HOME',
    setting: {
      key: 'opencodeDataHome',
      description: "The data folder holding OpenCode's `opencode/` (its `opencode.db`), like `XDG_DATA_HOME`. Empty: `XDG_DATA_HOME` or `~/.local/share`.",
    },
    // On every OS.
    defaults: (env, h) => [h.join(env.XDG_DATA_HOME || h.join(h.home, '.local', 'share'), 'opencode')],
  },
} as const satisfies AgentIdentity;
