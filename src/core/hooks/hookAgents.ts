/**
 * The adapter (`src/core/agents/`) that installs a hook agent's hooks: its settings file, hooks and
 * presence. The adapters call back into `hookSettings.ts` and `locations.ts` only when called, so
 * the import cycle through the registry never reads a module before it is loaded.
 */
import { AGENTS } from '../agents/registry';
import type { AgentHooks } from '../agents/types';
import type { HookAgent } from './normalize';

export type HookInstaller = Extract<AgentHooks, { agent: HookAgent }>;

export function hookInstaller(agent: HookAgent): HookInstaller {
  for (const a of AGENTS) if (a.hooks && 'agent' in a.hooks && a.hooks.agent === agent) return a.hooks;
  throw new Error(`no registered agent installs hooks for ${agent}`);
}
