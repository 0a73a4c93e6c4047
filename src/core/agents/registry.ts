/**
 * The registry: every agent's adapter, under its identity's id, in `AGENT_IDENTITIES`' order.
 * Adding an agent is one folder (`<agent>/identity.ts`, `<agent>/index.ts`), its identity in
 * `identities.ts` and its adapter here (docs/DEVELOPING.md, "Adding an agent").
 */
import { claudeCode } from './claudeCode';
import { codex } from './codex';
import { copilotChat } from './copilotChat';
import { copilotCli } from './copilotCli';
import { geminiCli } from './geminiCli';
import { AGENT_IDENTITIES, type AgentId } from './identities';
import { opencode } from './opencode';
import type { AgentAdapter } from './types';

const ADAPTERS: Readonly<Record<AgentId, AgentAdapter>> = {
  claude: claudeCode,
  codex,
  gemini: geminiCli,
  copilot: copilotCli,
  opencode,
  'copilot-chat': copilotChat,
};

/** Every registered agent, in order. */
export const AGENTS: readonly AgentAdapter[] = AGENT_IDENTITIES.map((i) => ADAPTERS[i.id]);
