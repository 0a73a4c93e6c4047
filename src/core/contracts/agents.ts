/**
 * How each known agent type is shown (the tree, the ticker, the dashboard): its name and the
 * codicon the tree draws, from the agents' identities (`src/core/agents/identities.ts`). An agent
 * type not listed there is shown as it is, with a generic icon.
 */
import { AGENT_IDENTITIES, type KnownAgentType } from '../agents/identities';

export interface AgentDisplay {
  name: string;
  /** A codicon id (VS Code's product icons). */
  icon: string;
}

export const AGENT_DISPLAY: Readonly<Record<KnownAgentType, AgentDisplay>> = Object.fromEntries(
  AGENT_IDENTITIES.map((a) => [a.agentType, { name: a.name, icon: a.icon }]),
) as Record<KnownAgentType, AgentDisplay>;

/** The names of the agents whose log files are read (`a, b and c`), for texts that list them. */
export function logAgentNames(): string {
  const names = AGENT_IDENTITIES.filter((a) => 'folders' in a).map((a) => a.name);
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function agentDisplay(agentType: string): AgentDisplay {
  return (AGENT_DISPLAY as Record<string, AgentDisplay | undefined>)[agentType] ?? { name: agentType, icon: 'robot' };
}

/** The agent's name as shown (its `agent_type` when unknown). */
export function agentName(agentType: string): string {
  return agentDisplay(agentType).name;
}
