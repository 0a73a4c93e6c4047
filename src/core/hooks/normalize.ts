/**
 * The hook channel's contract with the adapters: every agent's hook payloads become events of the
 * contract through its adapter's `hooks.mapper()` (`src/core/agents/<agent>/`: Claude Code's and
 * Codex's in `claudeCode/hookMapping.ts`, Gemini CLI's in `geminiCli/hooks.ts`). Here: what a
 * payload must have to be stored at all, and what a mapper is given.
 */
import type { KnownAgentType } from '../agents/identities';
import type { EventInputRaw } from '../contracts/events';
import { LONE_SURROGATE, hasLoneSurrogate } from '../contracts/wellFormed';
import { hookInstaller } from './hookAgents';
import type { HookPairing } from './hookPairing';
import { isRecord } from './summarize';

/** An agent whose hooks post to `/api/hooks/<agent>` (its adapter's `hooks.agent`, `src/core/agents/`). */
export type HookAgent = KnownAgentType;

export interface HookNormalizeContext {
  /** When the server received the hook (epoch ms). */
  receivedAt: number;
  /** Git branch of a working directory (cached by the caller), or null. */
  branchFor(cwd: string): string | null;
  pairing: HookPairing;
}

/** One agent's hook payload → events of the contract (its adapter's `hooks.mapper()`). */
export type HookMapper = (payload: Record<string, unknown>, ctx: HookNormalizeContext) => EventInputRaw[];

/** Why a payload cannot be stored, or null when it can. */
export function hookPayloadProblem(payload: unknown): string | null {
  if (!isRecord(payload)) return 'expected a JSON object (the hook input)';
  if (typeof payload.session_id !== 'string' || !payload.session_id.trim()) return 'session_id: missing';
  if (hasLoneSurrogate(payload.session_id)) return `session_id: ${LONE_SURROGATE}`;
  return null;
}

/**
 * One payload through the agent's mapper, made for this call: what a mapper remembers between
 * payloads (Gemini CLI's held prompts and calls) lives only in `HookIngest`'s mappers.
 */
export function normalizeHookPayload(agent: HookAgent, payload: Record<string, unknown>, ctx: HookNormalizeContext): EventInputRaw[] {
  return hookInstaller(agent).mapper()(payload, ctx);
}
