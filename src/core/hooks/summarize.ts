/**
 * Reducing hook payloads to what a person needs to see: the command, file path, pattern or URL a
 * tool was called with; the head of its output, its error and exit code. Bulky fields (file
 * contents, edits, whole tool outputs) are replaced by their size, so a stored event stays far
 * below the metadata cap. The work is bounded whatever the payload's size: at most
 * `MAX_KEYS_VISITED` keys are looked at, and bulky values are measured up to 1 MB.
 */
import { exactJson } from '../ingest/capJson';

/** Clip a string to `max` characters (never splitting a surrogate pair), marking the cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string field, trimmed, or undefined when absent or empty. */
export function str(obj: Record<string, unknown>, key: string, max = 1000): string | undefined {
  const v = obj[key];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t ? clip(t, max) : undefined;
}

export function num(obj: Record<string, unknown>, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Tool-input keys that show what a call did, with the length kept for each. */
const INPUT_KEYS: Record<string, number> = {
  command: 1000,
  cmd: 1000,
  description: 300,
  file_path: 500,
  path: 500,
  notebook_path: 500,
  pattern: 300,
  glob: 300,
  url: 500,
  query: 300,
  prompt: 500,
  subagent_type: 100,
  skill: 100,
  timeout: 0,
  run_in_background: 0,
  offset: 0,
  limit: 0,
  replace_all: 0,
  output_mode: 50,
  workdir: 500,
};

/** Input keys whose values are bulky: kept as a character count. */
const BULKY_KEYS = ['content', 'new_string', 'old_string', 'edits', 'todos', 'patch', 'input', 'new_source'];

const MAX_GENERIC_KEYS = 8;
/** Keys of a tool input or payload looked at, at most: the rest of a huge object is never walked. */
export const MAX_KEYS_VISITED = 256;
/** Bulky values are measured up to this many bytes; larger ones are reported as this size. */
const MAX_MEASURED = 1 << 20;

function scalar(v: unknown, max: number): string | number | boolean | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t ? clip(t, max) : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v;
  return undefined;
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  try {
    return exactJson(v, MAX_MEASURED)?.length ?? MAX_MEASURED;
  } catch {
    return 0;
  }
}

/** The parts of a tool's input that say what it did. */
export function summarizeToolInput(input: unknown): Record<string, unknown> | undefined {
  if (typeof input === 'string') return input.trim() ? { text: clip(input.trim(), 500) } : undefined;
  if (!isRecord(input)) return undefined;
  const out: Record<string, unknown> = {};
  let generic = 0;
  let visited = 0;
  for (const key in input) {
    if (++visited > MAX_KEYS_VISITED) break;
    const value = input[key];
    if (key in INPUT_KEYS) {
      const v = scalar(value, INPUT_KEYS[key] || 100);
      if (v !== undefined) out[key] = v;
    } else if (BULKY_KEYS.includes(key)) {
      const n = Array.isArray(value) ? value.length : sizeOf(value);
      if (n) out[`${key}_${Array.isArray(value) ? 'count' : 'chars'}`] = n;
    } else if (generic < MAX_GENERIC_KEYS) {
      const v = scalar(value, 200);
      if (v !== undefined) {
        out[key] = v;
        generic++;
      }
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function contentText(blocks: unknown[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (typeof b === 'string') parts.push(b);
    else if (isRecord(b) && typeof b.text === 'string') parts.push(b.text);
    if (parts.join('\n').length > 2000) break;
  }
  return parts.join('\n');
}

const OUTPUT_HEAD = 500;

/** Output head, error, exit code and a few counters from a tool's response. */
export function summarizeToolResponse(response: unknown): Record<string, unknown> | undefined {
  if (response === undefined || response === null) return undefined;
  if (typeof response === 'string') {
    const t = response.trim();
    return t ? { output: clip(t, OUTPUT_HEAD), output_chars: response.length } : undefined;
  }
  if (Array.isArray(response)) {
    const text = contentText(response).trim();
    return text ? { output: clip(text, OUTPUT_HEAD) } : undefined;
  }
  if (!isRecord(response)) return { output: String(response) };
  const out: Record<string, unknown> = {};
  const stdout = str(response, 'stdout', OUTPUT_HEAD);
  if (stdout) out.stdout = stdout;
  const stderr = str(response, 'stderr', OUTPUT_HEAD);
  if (stderr) out.stderr = stderr;
  for (const key of ['exit_code', 'exitCode', 'returnCode', 'code']) {
    const v = num(response, key);
    if (v !== undefined) {
      out.exit_code = v;
      break;
    }
  }
  for (const key of ['interrupted', 'is_error', 'isImage', 'success']) {
    if (response[key] === true || (key === 'success' && response[key] === false)) out[key] = response[key];
  }
  const error = str(response, 'error', 1000);
  if (error) out.error = error;
  const status = str(response, 'status', 50);
  if (status) out.status = status;
  const file = response.file;
  if (isRecord(file)) {
    const fp = str(file, 'filePath', 500);
    if (fp) out.file_path = fp;
    const lines = num(file, 'numLines') ?? num(file, 'totalLines');
    if (lines !== undefined) out.lines = lines;
  }
  const filePath = str(response, 'filePath', 500);
  if (filePath) out.file_path = filePath;
  for (const [key, name] of [
    ['numFiles', 'files'],
    ['numLines', 'lines'],
    ['totalDurationMs', 'subagent_duration_ms'],
    ['totalTokens', 'subagent_tokens'],
    ['totalToolUseCount', 'subagent_tool_uses'],
  ] as const) {
    const v = num(response, key);
    if (v !== undefined) out[name] = v;
  }
  const agentId = str(response, 'agentId', 100);
  if (agentId) out.agent_id = agentId;
  const model = str(response, 'resolvedModel', 100);
  if (model) out.model = model;
  if (Array.isArray(response.filenames)) out.files = response.filenames.length;
  if (!out.stdout && Array.isArray(response.content)) {
    const text = contentText(response.content).trim();
    if (text) out.output = clip(text, OUTPUT_HEAD);
  } else if (!out.stdout && typeof response.content === 'string' && response.content.trim()) {
    out.output = clip(response.content.trim(), OUTPUT_HEAD);
  } else if (!out.stdout && typeof response.output === 'string' && response.output.trim()) {
    out.output = clip(response.output.trim(), OUTPUT_HEAD);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Top-level payload fields that every hook carries or that are handled explicitly. */
const COMMON_FIELDS = new Set([
  'session_id',
  'transcript_path',
  'cwd',
  'hook_event_name',
  'permission_mode',
  'prompt_id',
  'turn_id',
  'agent_id',
  'agent_type',
  'model',
]);

/** Scalar fields of a payload that no mapping knows about, clipped: what an unknown hook said. */
export function genericFields(payload: Record<string, unknown>, maxKeys = 16): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  let visited = 0;
  for (const key in payload) {
    if (n >= maxKeys || ++visited > MAX_KEYS_VISITED) break;
    const value = payload[key];
    if (COMMON_FIELDS.has(key)) continue;
    const v = scalar(value, 500);
    if (v !== undefined) {
      out[key] = v;
      n++;
    } else if (Array.isArray(value)) {
      out[`${key}_count`] = value.length;
      n++;
    }
  }
  return out;
}
