import type { AgentIdentity } from '../identity';

export const claudeCodeIdentity = {
  id: 'claude',
  agentType: 'claude-code',
  // The original AgentMonitor's hooks send `claude_code`.
  aliases: ['claude_code'],
  name: 'Claude Code',
  icon: 'sparkle',
  // Its OTLP metrics stand in for the calls of sessions without log records.
  standInUsage: true,
  process: { bins: ['claude'], scripts: ['claude', 'claude-code'] },
  folders: {
    request: 'claude_dirs',
    config: 'claudeDirs',
    option: 'claude-dir',
    holds: 'a Claude config dir holding projects/',
    logs: 'Claude Code transcripts',
    defaultsText: 'CLAUDE_CONFIG_DIR or ~/.claude and ~/.config/claude',
    lookedIn: 'projects/ below each',
    env: 'CLAUDE_CONFIG_DIR',
    // CLAUDE_CONFIG_DIR may name several, comma-separated.
    setting: {
      key: 'claudeConfigDirs',
      list: true,
      description: 'Claude Code config folders (each holding `projects/`), like `CLAUDE_CONFIG_DIR`. Empty: `CLAUDE_CONFIG_DIR` or `~/.claude` and `~/.config/claude`.',
    },
    defaults: (env, h) => (env.CLAUDE_CONFIG_DIR ? env.CLAUDE_CONFIG_DIR.split(',').map((s) => s.trim()).filter(Boolean) : [h.join(h.home, '.claude'), h.join(h.home, '.config', 'claude')]),
  },
} as const satisfies AgentIdentity;
