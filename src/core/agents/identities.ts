/**
 * Every agent AgentMonitor knows, in the order it lists them (discovery, `import --help`, the
 * import request). Pure data (the webview imports it through `contracts/agents.ts`); each entry's
 * adapter is registered under its id in `registry.ts`, and the compiler refuses one without the other.
 */
import { claudeCodeIdentity } from './claudeCode/identity';
import { codexIdentity } from './codex/identity';
import { copilotChatIdentity } from './copilotChat/identity';
import { copilotCliIdentity } from './copilotCli/identity';
import { geminiCliIdentity } from './geminiCli/identity';
import type { AgentIdentity } from './identity';
import { opencodeIdentity } from './opencode/identity';

export const AGENT_IDENTITIES = [
  claudeCodeIdentity,
  codexIdentity,
  geminiCliIdentity,
  copilotCliIdentity,
  opencodeIdentity,
  copilotChatIdentity,
] as const satisfies readonly AgentIdentity[];

type Identity = (typeof AGENT_IDENTITIES)[number];
export type AgentId = Identity['id'];
export type KnownAgentType = Identity['agentType'];
type WithFolders = Extract<Identity, { folders: AgentIdentity['folders'] & object }>;

/** `ImportRequest`'s folder fields, one per agent with log folders (`claude_dirs`, `gemini_dirs`, …). */
export type AgentDirsRequest = { [A in WithFolders as A['folders']['request']]?: string[] };
/** `ServerConfig`'s default folders, one per agent with log folders (`claudeDirs`, `geminiDirs`, …). */
export type AgentDirsConfig = { [A in WithFolders as A['folders']['config']]: string[] };

/** The agents with log folders. */
export const FOLDER_AGENTS: readonly WithFolders[] = AGENT_IDENTITIES.filter((a): a is WithFolders => 'folders' in a);
