import type { AgentIdentity } from '../identity';

export const claudeCodeIdentity = {
  id: 'claude',
  agentType: 'claude-code',
  // The original AgentMonitor's hooks send `claude_code`.
  aliases: ['claude_code'],
  name: 'Claude Code',
  icon: 'sparkle',
  process: { bins: ['claude'], scripts: ['claude', 'claude-code'] },
  folders: {
    request: 'claude_dirs',
    config: 'claudeDirs',
    option: 'claude-dir',
    holds: 'a Claude config dir holding projects/',
    logs: 'Claude Code transcripts',
    defaults: 'CLAUDE_CONFIG_DIR or ~/.claude and ~/.config/claude',
    lookedIn: 'projects/ below each',
    env: 'CLAUDE_CONFIG_DIR',
  },
} as const satisfies AgentIdentity;
