/**
 * How each known agent type is shown (the tree, the ticker, the dashboard): its name and the
 * codicon the tree draws. An agent type not listed here is shown as it is, with a generic icon.
 */
import type { KNOWN_AGENT_TYPES } from './events';

export interface AgentDisplay {
  name: string;
  /** A codicon id (VS Code's product icons). */
  icon: string;
}

export const AGENT_DISPLAY: Readonly<Record<(typeof KNOWN_AGENT_TYPES)[number], AgentDisplay>> = {
  'claude-code': { name: 'Claude Code', icon: 'sparkle' },
  codex: { name: 'Codex', icon: 'terminal' },
  'gemini-cli': { name: 'Gemini CLI', icon: 'star-full' },
  'copilot-cli': { name: 'Copilot CLI', icon: 'copilot' },
  opencode: { name: 'OpenCode', icon: 'code' },
  'copilot-chat': { name: 'Copilot Chat', icon: 'comment-discussion' },
};

export function agentDisplay(agentType: string): AgentDisplay {
  return (AGENT_DISPLAY as Record<string, AgentDisplay | undefined>)[agentType] ?? { name: agentType, icon: 'robot' };
}

/** The agent's name as shown (its `agent_type` when unknown). */
export function agentName(agentType: string): string {
  return agentDisplay(agentType).name;
}
