/**
 * Claude Code hook payloads for the attention tests (issue 18). The captured runs were
 * non-interactive, in which Claude Code sends no PermissionRequest and no Notification, so these
 * are built on a captured payload of the same session and call, with the fields Claude Code
 * documents for them (`PermissionRequest`: the tool call and `permission_suggestions`;
 * `Notification`: `message`, `notification_type`).
 */
import * as path from 'node:path';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, jsonLines } from './hookFixtures';

export type Payload = Record<string, unknown>;

export const claudeHooks = (event: string): Payload[] => jsonLines(path.join(CLAUDE_CAPTURE, `hooks-${event}.jsonl`));
export const codexHooks = (event: string): Payload[] => jsonLines(path.join(CODEX_CAPTURE, `hooks-${event}.jsonl`));

/** The fields every Claude Code hook payload carries, from a captured one. */
export function hookBase(p: Payload): Payload {
  const { session_id, transcript_path, cwd, permission_mode } = p;
  return { session_id, transcript_path, cwd, permission_mode };
}

/** The PermissionRequest Claude Code sends for the call of a captured PreToolUse. */
export function permissionRequest(pre: Payload): Payload {
  return {
    ...hookBase(pre),
    hook_event_name: 'PermissionRequest',
    tool_name: pre.tool_name,
    tool_input: pre.tool_input,
    permission_suggestions: [{ type: 'addRules', rules: [{ toolName: pre.tool_name }], behavior: 'allow', destination: 'localSettings' }],
  };
}

/** A Notification hook of `type` (`permission_prompt`, `idle_prompt`, …) in the session of `from`. */
export function notification(from: Payload, type: string, message: string): Payload {
  return { ...hookBase(from), hook_event_name: 'Notification', message, notification_type: type };
}

/** The captured Claude Code run's main-session hooks of one turn with a Bash call, and its session id. */
export function claudeTurn(): { start: Payload; prompt: Payload; pre: Payload; post: Payload; stop: Payload; end: Payload; sid: string } {
  const [start] = claudeHooks('SessionStart');
  const [prompt] = claudeHooks('UserPromptSubmit');
  const pre = claudeHooks('PreToolUse').find((p) => p.tool_name === 'Bash' && !p.agent_id)!;
  const post = claudeHooks('PostToolUse').find((p) => p.tool_use_id === pre.tool_use_id)!;
  const [stop] = claudeHooks('Stop');
  const [end] = claudeHooks('SessionEnd');
  return { start, prompt, pre, post, stop, end, sid: String(start.session_id) };
}
