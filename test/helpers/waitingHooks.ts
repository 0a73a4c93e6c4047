/**
 * Hook payloads for the attention tests (issue 18): the real Claude Code 2.1.197 hooks of one
 * interactive session that asked for permission (`test/fixtures/claude-interactive`, README there)
 * and the captured Codex hooks.
 */
import * as path from 'node:path';
import { CODEX_CAPTURE, jsonLines, REPO_ROOT } from './hookFixtures';

export type Payload = Record<string, unknown>;

export const CLAUDE_INTERACTIVE = path.join(REPO_ROOT, 'test/fixtures/claude-interactive');

export const claudeHooks = (event: string): Payload[] => jsonLines(path.join(CLAUDE_INTERACTIVE, `hooks-${event}.jsonl`));
export const codexHooks = (event: string): Payload[] => jsonLines(path.join(CODEX_CAPTURE, `hooks-${event}.jsonl`));

export interface ClaudeTurn {
  sid: string;
  start: Payload;
  prompt: Payload;
  /** The main agent's `ls -la` (PreToolUse), the PermissionRequest it caused, and its PostToolUse once allowed. */
  pre: Payload;
  permission: Payload;
  post: Payload;
  /** Claude Code's Notification `permission_prompt` that followed the request. */
  permissionPrompt: Payload;
  /** The subagent's `wc -c README.md`, its PermissionRequest (with `agent_id`) and its PostToolUse. */
  subagentPre: Payload;
  subagentPermission: Payload;
  subagentPost: Payload;
  stop: Payload;
  /** Claude Code's Notification `idle_prompt`, about 60 s after the Stop. */
  idlePrompt: Payload;
  end: Payload;
}

/** The interactive session's hooks. */
export function claudeTurn(): ClaudeTurn {
  const [start] = claudeHooks('SessionStart');
  const [prompt] = claudeHooks('UserPromptSubmit');
  const pres = claudeHooks('PreToolUse').filter((p) => p.tool_name === 'Bash');
  const pre = pres.find((p) => !p.agent_id)!;
  const subagentPre = pres.find((p) => p.agent_id)!;
  const permissions = claudeHooks('PermissionRequest');
  const notifications = claudeHooks('Notification');
  const postOf = (p: Payload) => claudeHooks('PostToolUse').find((x) => x.tool_use_id === p.tool_use_id)!;
  return {
    sid: String(start.session_id),
    start,
    prompt,
    pre,
    permission: permissions.find((p) => !p.agent_id)!,
    post: postOf(pre),
    permissionPrompt: notifications.find((n) => n.notification_type === 'permission_prompt')!,
    subagentPre,
    subagentPermission: permissions.find((p) => p.agent_id)!,
    subagentPost: postOf(subagentPre),
    stop: claudeHooks('Stop')[0],
    idlePrompt: notifications.find((n) => n.notification_type === 'idle_prompt')!,
    end: claudeHooks('SessionEnd')[0],
  };
}
