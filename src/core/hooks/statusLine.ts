/**
 * The status-line bridge (issue 18), apart from HTTP and the CLI: the plan readings a Claude Code
 * status-line input carries, the short line `agentmonitor statusline` prints, and the pure merge
 * that puts our command into `settings.json`'s `statusLine` (chaining a command the user had) or
 * takes it out again (giving the user's command back unchanged).
 *
 * The readings (windows `five_hour` / `seven_day`) are kept with Codex's in `rate_limits`, as a
 * gauge (`recordRateLimits`), not as events: Claude Code runs the status line after every message.
 */
import { CLAUDE_PLAN_WINDOWS, type ClaudePlanWindow, type ClaudeStatusLine } from '../contracts/statusLine';
import type { RateLimitReading } from '../store/queries/usageMonitor';
import { isRecord } from './summarize';

const round2 = (n: number) => Math.round(n * 100) / 100;

function resetsAtMs(v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  return v < 1e12 ? v * 1000 : v;
}

/** The plan windows a status-line input reports (none for an API-key user). */
export function statusLineReadings(v: ClaudeStatusLine): RateLimitReading[] {
  const out: RateLimitReading[] = [];
  for (const window of Object.keys(CLAUDE_PLAN_WINDOWS) as ClaudePlanWindow[]) {
    const w = v.rate_limits?.[window];
    if (!w) continue;
    out.push({ window, used_percent: round2(w.used_percentage), window_minutes: CLAUDE_PLAN_WINDOWS[window], resets_at: resetsAtMs(w.resets_at) });
  }
  return out;
}

/**
 * How full the session's context is, as Claude Code reports it: the prompt of the current usage
 * (input + cache write + cache read, what `used_percentage` counts) against `context_window_size`;
 * the tokens from `used_percentage` when no usage is given. Null before the first response.
 */
export function statusLineContext(v: ClaudeStatusLine): { tokens: number; window: number | null } | null {
  const c = v.context_window;
  if (!c) return null;
  const window = c.context_window_size && c.context_window_size > 0 ? c.context_window_size : null;
  const u = c.current_usage;
  const prompt = u ? (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) : 0;
  if (prompt > 0) return { tokens: prompt, window };
  if (typeof c.used_percentage === 'number' && c.used_percentage > 0 && window) return { tokens: Math.round((c.used_percentage / 100) * window), window };
  return null;
}

/** `ctx 45%` and the plan windows, e.g. `Sonnet 4.5 · ctx 45% · 5h 42% · 7d 12%`. */
export function statusLineText(v: ClaudeStatusLine, monitorReached: boolean): string {
  const parts: string[] = [];
  if (v.model?.display_name) parts.push(v.model.display_name);
  const ctx = v.context_window?.used_percentage;
  if (typeof ctx === 'number') parts.push(`ctx ${Math.round(ctx)}%`);
  const labels: Record<ClaudePlanWindow, string> = { five_hour: '5h', seven_day: '7d' };
  for (const window of Object.keys(labels) as ClaudePlanWindow[]) {
    const w = v.rate_limits?.[window];
    if (w) parts.push(`${labels[window]} ${Math.round(w.used_percentage)}%`);
  }
  if (!monitorReached) parts.push('AgentMonitor not reachable');
  return parts.join(' · ') || 'AgentMonitor';
}

// ---- settings.json's statusLine -------------------------------------------------------------

/**
 * Our command: `<bin> statusline --port N [--chain B64]`, `<bin>` being however the CLI was run
 * (`agentmonitor`, or node and the script by their paths): recognised by that ending alone.
 */
const OURS_RE = /\sstatusline --port \d+(?: --chain [A-Za-z0-9_-]+)?\s*$/;
const CHAIN_RE = /\s--chain\s+([A-Za-z0-9_-]+)\s*$/;

export function isOurStatusLineCommand(command: string): boolean {
  return OURS_RE.test(command);
}

/** The user's command ours runs first (`--chain`, base64url so it needs no shell quoting), or null. */
export function chainedCommand(command: string): string | null {
  const m = CHAIN_RE.exec(command);
  return m ? Buffer.from(m[1], 'base64url').toString('utf8') : null;
}

export function statusLineCommand(bin: string, port: number, chain: string | null): string {
  return `${bin} statusline --port ${port}${chain ? ` --chain ${Buffer.from(chain, 'utf8').toString('base64url')}` : ''}`;
}

export interface StatusLineMerge {
  settings: Record<string, unknown>;
  changed: boolean;
  /** The user's command now chained behind ours (install), or given back (uninstall). */
  chained: string | null;
  /** Why the settings were left alone (an existing statusLine we cannot chain). */
  refused: string | null;
}

/**
 * Set `statusLine` to our command. A user's own command keeps running: ours runs it with the same
 * input and prints its output unchanged (`--chain`), and uninstall puts it back. Its other fields
 * (padding, refreshInterval) stay. A statusLine that is not a command is refused, not replaced.
 */
export function installStatusLine(settings: Record<string, unknown>, bin: string, port: number): StatusLineMerge {
  const cur = settings.statusLine;
  const keep = { settings, changed: false, chained: null };
  let chain: string | null = null;
  let base: Record<string, unknown> = { type: 'command' };
  if (cur !== undefined && cur !== null) {
    if (!isRecord(cur) || cur.type !== 'command' || typeof cur.command !== 'string') {
      const what = isRecord(cur) ? `of type "${String(cur.type)}"` : 'not an object';
      return { ...keep, refused: `its statusLine is ${what}, not a command AgentMonitor can run before its own: left unchanged, no status-line bridge (plan limits and context then come only from other channels)` };
    }
    chain = isOurStatusLineCommand(cur.command) ? chainedCommand(cur.command) : cur.command.trim() || null;
    base = cur;
  }
  const next = { ...base, type: 'command', command: statusLineCommand(bin, port, chain) };
  if (isRecord(cur) && JSON.stringify(next) === JSON.stringify(cur)) return { ...keep, chained: chain, refused: null };
  return { settings: { ...settings, statusLine: next }, changed: true, chained: chain, refused: null };
}

/** Take our command out: the chained user command goes back in its place, else `statusLine` goes. */
export function removeStatusLine(settings: Record<string, unknown>): StatusLineMerge {
  const cur = settings.statusLine;
  if (!isRecord(cur) || typeof cur.command !== 'string' || !isOurStatusLineCommand(cur.command)) {
    return { settings, changed: false, chained: null, refused: null };
  }
  const chain = chainedCommand(cur.command);
  const out = { ...settings };
  if (chain) out.statusLine = { ...cur, command: chain };
  else delete out.statusLine;
  return { settings: out, changed: true, chained: chain, refused: null };
}

/** Whether the settings' statusLine is ours. */
export function hasOurStatusLine(settings: Record<string, unknown>): boolean {
  const cur = settings.statusLine;
  return isRecord(cur) && typeof cur.command === 'string' && isOurStatusLineCommand(cur.command);
}
