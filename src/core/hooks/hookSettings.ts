/**
 * Our hook entries for Claude Code's `settings.json` and Codex's `hooks.json` (both
 * `{"hooks": {"<Event>": [{"matcher"?, "hooks": [handler…]}]}}`), and the pure merge that installs or
 * removes them without touching anyone else's hooks. A handler is ours when it posts to
 * `/api/hooks/<agent>` on a loopback address or runs `agentmonitor-hook.sh`.
 */
import { isRecord } from './summarize';
import { hookInstaller } from './hookAgents';
import type { HookAgent } from './normalize';

/** Claude Code events sent with `http` hooks. */
export const CLAUDE_HTTP_EVENTS = [
  'SessionEnd',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PermissionDenied',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'Notification',
  'Stop',
  'StopFailure',
  'SubagentStart',
  'SubagentStop',
  'PreCompact',
  'PostCompact',
  'MessageDisplay',
  'InstructionsLoaded',
  'TaskCreated',
  'TaskCompleted',
  'CwdChanged',
  'ConfigChange',
] as const;

/** Claude Code events that need a `command` hook: 2.1.197 runs no `http` hooks for them. */
export const CLAUDE_COMMAND_EVENTS = ['SessionStart', 'Setup'] as const;

/** Codex hook events (Codex runs `command` hooks). */
export const CODEX_EVENTS = [
  'SessionStart',
  'SessionEnd',
  'UserPromptSubmit',
  'PreModelRequest',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PreCompact',
  'PostCompact',
  'SubagentStart',
  'SubagentStop',
  'Stop',
  'Interrupt',
] as const;

/** Events whose matcher selects tools: we register `*` so every tool is seen. */
const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied']);

export const HTTP_HOOK_TIMEOUT_S = 2;
export const COMMAND_HOOK_TIMEOUT_S = 5;
export const HOOK_SCRIPT_NAME = 'agentmonitor-hook.sh';

export interface HookTarget {
  port: number;
  /** Path of the installed command-hook script, as the hook command should name it. */
  scriptPath: string;
}

export type HookHandler = Record<string, unknown>;
export interface MatcherGroup {
  matcher?: string;
  hooks: HookHandler[];
  [key: string]: unknown;
}
export type HooksConfig = Record<string, MatcherGroup[]>;

/** A Claude Code version, `[major, minor, patch]`. */
export type Version = [number, number, number];

/** The version whose hooks were captured (`fixtures/captured`): every event above, `http` hooks. */
export const CLAUDE_FULL_VERSION: Version = [2, 1, 197];

/**
 * Older Claude Code versions reject a settings file whole ("Invalid key in record … Files with
 * errors are skipped entirely") when it names a hook event they do not know, and may not know the
 * `http` handler type: for them only long-standing events, all through the command-hook script.
 */
const CLAUDE_EVENTS_2_1 = [
  'SessionStart', 'SessionEnd', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse',
  'PostToolUseFailure', 'Notification', 'Stop', 'SubagentStart', 'SubagentStop', 'PreCompact',
] as const;
const CLAUDE_EVENTS_BASIC = [
  'SessionStart', 'SessionEnd', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Notification', 'Stop', 'SubagentStop', 'PreCompact',
] as const;

export function parseVersion(text: string): Version | null {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function versionAtLeast(v: Version, min: Version): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

export interface ClaudeEventPlan {
  http: string[];
  command: string[];
}

/** Which events to register for a Claude Code version (null: unknown, assume a current one). */
export function claudeEventPlan(version: Version | null): ClaudeEventPlan {
  if (!version || versionAtLeast(version, CLAUDE_FULL_VERSION)) return { http: [...CLAUDE_HTTP_EVENTS], command: [...CLAUDE_COMMAND_EVENTS] };
  return { http: [], command: [...(versionAtLeast(version, [2, 1, 0]) ? CLAUDE_EVENTS_2_1 : CLAUDE_EVENTS_BASIC)] };
}

export function hookUrl(agent: HookAgent, port: number): string {
  return `http://127.0.0.1:${port}/api/hooks/${agent}`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `"${s.replace(/(["\\`])/g, '\\$1')}"`;
}

export function hookCommand(agent: HookAgent, t: HookTarget): string {
  const script = t.scriptPath.startsWith('$HOME/') ? `"${t.scriptPath}"` : shellQuote(t.scriptPath);
  return `sh ${script} ${agent} ${t.port}`;
}

function group(event: string, handler: HookHandler): MatcherGroup {
  return TOOL_EVENTS.has(event) ? { matcher: '*', hooks: [handler] } : { hooks: [handler] };
}

/** Our hooks for Claude Code: `http` for every event that supports it, the script for the rest. */
export function claudeHooks(t: HookTarget, version: Version | null = null): HooksConfig {
  const plan = claudeEventPlan(version);
  const out: HooksConfig = {};
  for (const event of plan.command) {
    out[event] = [group(event, { type: 'command', command: hookCommand('claude-code', t), timeout: COMMAND_HOOK_TIMEOUT_S })];
  }
  for (const event of plan.http) {
    out[event] = [
      group(event, {
        type: 'http',
        url: hookUrl('claude-code', t.port),
        timeout: HTTP_HOOK_TIMEOUT_S,
        headers: { Authorization: 'Bearer $AGENTMONITOR_TOKEN' },
        allowedEnvVars: ['AGENTMONITOR_TOKEN'],
      }),
    ];
  }
  return out;
}

export function codexHooks(t: HookTarget): HooksConfig {
  const out: HooksConfig = {};
  for (const event of CODEX_EVENTS) {
    out[event] = [group(event, { type: 'command', command: hookCommand('codex', t), timeout: COMMAND_HOOK_TIMEOUT_S })];
  }
  return out;
}

/** The agent's hooks, by its adapter (`src/core/agents/<agent>/index.ts`). */
export function hooksFor(agent: HookAgent, t: HookTarget, claudeVersion: Version | null = null): HooksConfig {
  return hookInstaller(agent).settings(t, claudeVersion);
}

const LOOPBACK_HOOK_URL = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/api\/hooks\/[a-z][a-z-]*\/?(\?.*)?$/;

export function isOurHandler(h: unknown): boolean {
  if (!isRecord(h)) return false;
  if (h.type === 'http' && typeof h.url === 'string') return LOOPBACK_HOOK_URL.test(h.url.trim());
  if (h.type === 'command' && typeof h.command === 'string') return h.command.includes(HOOK_SCRIPT_NAME);
  return false;
}

export class SettingsShapeError extends Error {}

/** The `hooks` object of a settings document, checked for the shape we can edit safely. */
function hooksOf(settings: Record<string, unknown>): Record<string, unknown> {
  const hooks = settings.hooks;
  if (hooks === undefined) return {};
  if (!isRecord(hooks)) throw new SettingsShapeError('"hooks" is not a JSON object');
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) throw new SettingsShapeError(`"hooks.${event}" is not an array`);
  }
  return hooks;
}

function withoutOurs(groups: unknown[]): { groups: unknown[]; removed: number } {
  let removed = 0;
  const out: unknown[] = [];
  for (const g of groups) {
    if (!isRecord(g) || !Array.isArray(g.hooks)) {
      out.push(g);
      continue;
    }
    const kept = g.hooks.filter((h) => !isOurHandler(h));
    removed += g.hooks.length - kept.length;
    if (kept.length === g.hooks.length) out.push(g);
    else if (kept.length) out.push({ ...g, hooks: kept });
  }
  return { groups: out, removed };
}

export interface MergeResult {
  settings: Record<string, unknown>;
  changed: boolean;
  /** Our handlers added and removed. */
  added: number;
  removed: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Remove every handler of ours; other hooks and settings stay exactly as they were. */
export function removeHooks(settings: Record<string, unknown>): MergeResult {
  const hooks = hooksOf(settings);
  const next: Record<string, unknown> = {};
  let removed = 0;
  for (const [event, groups] of Object.entries(hooks)) {
    const r = withoutOurs(groups as unknown[]);
    removed += r.removed;
    if (r.groups.length || !r.removed) next[event] = r.groups;
  }
  if (!removed) return { settings, changed: false, added: 0, removed: 0 };
  const out = { ...settings };
  if (Object.keys(next).length) out.hooks = next;
  else delete out.hooks;
  return { settings: out, changed: true, added: 0, removed };
}

/**
 * Install `ours`: an event whose groups already hold exactly our entry is left alone (so a second
 * install changes nothing); elsewhere stale entries of ours are replaced; others' hooks are kept.
 */
export function installHooks(settings: Record<string, unknown>, ours: HooksConfig): MergeResult {
  const hooks = hooksOf(settings);
  const next: Record<string, unknown> = {};
  let added = 0;
  let removed = 0;
  for (const [event, groups] of Object.entries(hooks)) {
    const list = groups as unknown[];
    const wanted = ours[event];
    const oursNow = list.filter((g) => isRecord(g) && Array.isArray(g.hooks) && g.hooks.some(isOurHandler));
    if (wanted && same(oursNow, wanted)) {
      next[event] = list;
      continue;
    }
    const r = withoutOurs(list);
    removed += r.removed;
    const combined = wanted ? [...r.groups, ...wanted] : r.groups;
    if (wanted) added += wanted.reduce((n, g) => n + g.hooks.length, 0);
    if (combined.length || !r.removed) next[event] = combined;
  }
  for (const [event, wanted] of Object.entries(ours)) {
    if (event in next) continue;
    next[event] = wanted;
    added += wanted.reduce((n, g) => n + g.hooks.length, 0);
  }
  const out = { ...settings, hooks: next };
  const changed = !same(out, settings);
  return { settings: changed ? out : settings, changed, added: changed ? added : 0, removed: changed ? removed : 0 };
}

/** How many of our handlers the settings hold, by event. */
export function ourHookEvents(settings: Record<string, unknown>): string[] {
  const hooks = isRecord(settings.hooks) ? settings.hooks : {};
  return Object.entries(hooks)
    .filter(([, groups]) => Array.isArray(groups) && groups.some((g) => isRecord(g) && Array.isArray(g.hooks) && g.hooks.some(isOurHandler)))
    .map(([event]) => event);
}
