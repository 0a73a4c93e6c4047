/**
 * The event contract (DESIGN §4): what `POST /api/events` and `/api/events/batch` accept, and what
 * every other channel (hooks, OTLP, transcript import) is normalized into before ingest.
 *
 * Token semantics are identical for every source so totals add up:
 * - `tokens_in`: input tokens NOT served from cache (Codex: input − cached_input).
 * - `cache_read_tokens`: Claude cache_read_input_tokens; Codex cached_input_tokens.
 * - `cache_write_tokens`: Claude cache_creation_input_tokens (all TTLs); `cache_write_1h_tokens`
 *   is the part of it written with the 1-hour TTL, where known (the rest is 5-minute).
 * - `tokens_out`: output tokens, reasoning included; `reasoning_tokens` is that part, where known.
 * - `cost_usd`: the agent's own figure when it reports one; otherwise the server computes it from
 *   the price table. The server records which in `cost_source`.
 *
 * Identity: `event_id` is unique. A second event with the same id is acknowledged and skipped
 * ("duplicate"), except that an event stored with status `running` is completed by a later one
 * with a final status (a PreToolUse followed by its PostToolUse). Channels that see the same thing
 * derive the same id — see `eventIds.ts`.
 */
import { AGENT_IDENTITIES, type KnownAgentType } from '../agents/identities';
import { z } from 'zod';
import { EVENT_SOURCES, type EventSource } from './eventSources';
import { EVENT_TIME_RANGE, isPlausibleTimestamp } from './eventTime';
import { LONE_SURROGATE, hasLoneSurrogate } from './wellFormed';

export const EVENT_TYPES = [
  'session_start',
  'session_end',
  'user_prompt',
  'tool_use',
  'response',
  'llm_request',
  'error',
  'notification',
  'subagent_start',
  'subagent_stop',
  'compaction',
  'file_change',
  'permission_request',
  'permission_denied',
  'stop',
  'rate_limit',
  'metric',
  'hook_event',
  // Sent by the original AgentMonitor's hook scripts and clients (and fine for any agent):
  /** An instruction file (CLAUDE.md, rules) was loaded: its path and why, never its contents. */
  'instruction_load',
  'git_commit',
  'plan_step',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Names the original AgentMonitor's clients send for what is one of ours: its `llm_response`
 * carries a model call's usage, as our `llm_request` does, and is stored as one.
 */
export const EVENT_TYPE_ALIASES = { llm_response: 'llm_request' } as const satisfies Record<string, EventType>;
const ACCEPTED_EVENT_TYPES = [...EVENT_TYPES, ...(Object.keys(EVENT_TYPE_ALIASES) as (keyof typeof EVENT_TYPE_ALIASES)[])] as const;

/** Other spellings of a known agent type (the original AgentMonitor's hooks send `claude_code`): each agent's `aliases`. */
export const AGENT_TYPE_ALIASES: ReadonlyMap<string, KnownAgentType> = new Map(
  AGENT_IDENTITIES.flatMap((a): [string, KnownAgentType][] => ('aliases' in a ? a.aliases.map((alias): [string, KnownAgentType] => [alias, a.agentType]) : [])),
);

/**
 * What an `instruction_load` keeps of its metadata: where the instructions came from and why they
 * were loaded. Their text (which can hold secrets and is the user's own) is never stored.
 */
export const INSTRUCTION_LOAD_KEYS = ['file_path', 'memory_type', 'load_reason', 'globs', 'trigger_file_path', 'parent_file_path'] as const;

function instructionLoadMetadata(meta: unknown): Record<string, unknown> | undefined {
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const kept = Object.fromEntries(INSTRUCTION_LOAD_KEYS.filter((k) => k in meta).map((k) => [k, (meta as Record<string, unknown>)[k]]));
  return Object.keys(kept).length ? kept : undefined;
}

export const EVENT_STATUSES = ['success', 'error', 'timeout', 'running'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export { EVENT_SOURCES, type EventSource };

/** Known agent types (each registered agent's, `src/core/agents/identities.ts`); any other short identifier is accepted too. */
export const KNOWN_AGENT_TYPES: readonly KnownAgentType[] = AGENT_IDENTITIES.map((a) => a.agentType);

export type CostSource = 'agent' | 'computed' | 'unpriced' | 'none';

/** Field limits and the agent type's form: one table for the full schema and its fast path. */
const LIMIT = { id: 256, agentType: 64, project: 512, tokens: 1e12, costUsd: 1e6, durationMs: 1e10 } as const;
const AGENT_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

const wellFormed = () => z.string().refine((s) => !hasLoneSurrogate(s), LONE_SURROGATE);
const trimmed = (max: number) => wellFormed().trim().min(1).max(max);
const optionalTrimmed = (max: number) =>
  wellFormed()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? undefined : s))
    .optional()
    .nullable()
    .transform((s) => s ?? undefined);
const tokenCount = z.number().int().nonnegative().max(LIMIT.tokens).optional().nullable().transform((n) => n ?? undefined);

export const EventInputSchema = z
  .object({
    session_id: trimmed(LIMIT.id),
    agent_type: trimmed(LIMIT.agentType)
      .regex(AGENT_TYPE_RE, 'letters, digits and . _ : / - only')
      .transform((a): string => AGENT_TYPE_ALIASES.get(a) ?? a),
    event_type: z.enum(ACCEPTED_EVENT_TYPES).transform((t): EventType => (t in EVENT_TYPE_ALIASES ? EVENT_TYPE_ALIASES[t as keyof typeof EVENT_TYPE_ALIASES] : (t as EventType))),
    event_id: optionalTrimmed(LIMIT.id),
    tool_name: optionalTrimmed(LIMIT.id),
    status: z.enum(EVENT_STATUSES).optional().nullable().transform((s) => s ?? undefined),
    model: optionalTrimmed(LIMIT.id),
    tokens_in: tokenCount,
    tokens_out: tokenCount,
    cache_read_tokens: tokenCount,
    cache_write_tokens: tokenCount,
    cache_write_1h_tokens: tokenCount,
    reasoning_tokens: tokenCount,
    cost_usd: z.number().finite().nonnegative().max(LIMIT.costUsd).optional().nullable().transform((n) => n ?? undefined),
    duration_ms: z.number().finite().nonnegative().max(LIMIT.durationMs).optional().nullable().transform((n) => n ?? undefined),
    project: optionalTrimmed(LIMIT.project),
    branch: optionalTrimmed(LIMIT.id),
    client_timestamp: z
      .union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })])
      .refine((s) => isPlausibleTimestamp(s), `must be ${EVENT_TIME_RANGE}`)
      .optional()
      .nullable()
      .transform((s) => s ?? undefined),
    source: z.enum(EVENT_SOURCES).optional().nullable().transform((s) => s ?? undefined),
    metadata: z.unknown().optional(),
  })
  .strip()
  .transform((e) => (e.event_type === 'instruction_load' ? { ...e, metadata: instructionLoadMetadata(e.metadata) } : e));

/**
 * The common case, cheaply: an event already in the form `EventInputSchema` puts it in (strings
 * trimmed, well-formed and non-empty, no nulls, no alias, not an `instruction_load`, an offset
 * timestamp) passes this schema, whose output is then what `EventInputSchema` would give (same
 * keys, same values). It has no transforms, so no pipes: one check per field, the canonical form
 * checked once for the whole object. Anything it refuses is validated by `EventInputSchema`,
 * which accepts or refuses it and names the errors exactly as before (`test/unit/contract.test.ts`
 * compares the two).
 */
const ANY_STRING = z.string().optional();
const ANY_NUMBER = z.number().optional();
const CanonicalEventShape = z
  .object({
    session_id: z.string(),
    agent_type: z.string(),
    event_type: z.enum(EVENT_TYPES),
    event_id: ANY_STRING,
    tool_name: ANY_STRING,
    status: z.enum(EVENT_STATUSES).optional(),
    model: ANY_STRING,
    tokens_in: ANY_NUMBER,
    tokens_out: ANY_NUMBER,
    cache_read_tokens: ANY_NUMBER,
    cache_write_tokens: ANY_NUMBER,
    cache_write_1h_tokens: ANY_NUMBER,
    reasoning_tokens: ANY_NUMBER,
    cost_usd: ANY_NUMBER,
    duration_ms: ANY_NUMBER,
    project: ANY_STRING,
    branch: ANY_STRING,
    client_timestamp: z.iso.datetime({ offset: true }).optional(),
    source: z.enum(EVENT_SOURCES).optional(),
    metadata: z.unknown().optional(),
  })
  .strip();
const CanonicalEventSchema = CanonicalEventShape.refine(isCanonical);

/** A string `trimmed(max)` / `optionalTrimmed(max)` would keep as it is (not emptied, not cut). */
function canonicalString(s: string | undefined, max: number): boolean {
  if (s === undefined) return true;
  const n = s.length;
  if (n === 0 || n > max) return false;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  // Printable ASCII at both ends is never trimmed; anything else asks trim() itself.
  if (!(first > 32 && first < 127 && last > 32 && last < 127) && s.trim() !== s) return false;
  return !hasLoneSurrogate(s);
}

const count = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= LIMIT.tokens);
const upTo = (n: number | undefined, max: number) => n === undefined || (n >= 0 && n <= max);

function isCanonical(e: z.output<typeof CanonicalEventShape>): boolean {
  return (
    e.event_type !== 'instruction_load' &&
    canonicalString(e.session_id, LIMIT.id) &&
    e.agent_type.length <= LIMIT.agentType &&
    AGENT_TYPE_RE.test(e.agent_type) &&
    !AGENT_TYPE_ALIASES.has(e.agent_type) &&
    canonicalString(e.event_id, LIMIT.id) &&
    canonicalString(e.tool_name, LIMIT.id) &&
    canonicalString(e.model, LIMIT.id) &&
    canonicalString(e.project, LIMIT.project) &&
    canonicalString(e.branch, LIMIT.id) &&
    count(e.tokens_in) &&
    count(e.tokens_out) &&
    count(e.cache_read_tokens) &&
    count(e.cache_write_tokens) &&
    count(e.cache_write_1h_tokens) &&
    count(e.reasoning_tokens) &&
    upTo(e.cost_usd, LIMIT.costUsd) &&
    upTo(e.duration_ms, LIMIT.durationMs) &&
    (e.client_timestamp === undefined || isPlausibleTimestamp(e.client_timestamp))
  );
}

type ValidatedEvent = z.output<typeof EventInputSchema>;
/** An event as a client sends it, after validation (trimmed, nulls removed, optional keys optional). */
export type EventInput = Partial<ValidatedEvent> & Pick<ValidatedEvent, 'session_id' | 'agent_type' | 'event_type'>;
/** An event as a client may write it. */
export type EventInputRaw = z.input<typeof EventInputSchema>;

/** The columns an event has in every form (the store's record, the API's answer). */
export interface EventColumns {
  /** Server-assigned, increasing: the cursor order. */
  id: number;
  event_id: string | null;
  session_id: string;
  agent_type: string;
  event_type: EventType;
  tool_name: string | null;
  status: EventStatus | null;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  cost_source: CostSource;
  duration_ms: number | null;
  project: string | null;
  branch: string | null;
  source: EventSource;
}

/** A stored event as the API returns it and SSE broadcasts it. */
export interface StoredEvent extends EventColumns {
  /** Event time (ISO): `client_timestamp` when given, else when the server received it. */
  created_at: string;
  received_at: string;
  client_timestamp: string | null;
  metadata: Record<string, unknown> | null;
  payload_truncated: boolean;
  /** Set when the event had metadata but its record in the payload file is missing or damaged. */
  payload_missing?: true;
  /** Who sent it (a team server only: the writing token's person, else `metadata["user.email"]`). */
  person?: string;
  /** The machine it came from (a team server only, when known: the pushing host, OTLP's `host.name`, a hook's header). */
  machine?: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; value: EventInput } | { ok: false; errors: FieldError[] };

/** Validate one event; errors name the field (`tokens_in`, `metadata`, …). */
export function validateEvent(raw: unknown): ValidationResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(body)', message: 'expected a JSON object' }] };
  }
  const canonical = CanonicalEventSchema.safeParse(raw);
  if (canonical.success) return { ok: true, value: canonical.data as EventInput };
  const parsed = EventInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : '(body)',
      message: issue.message,
    })),
  };
}

/** Answer of `POST /api/events/batch`. */
export interface BatchResult {
  received: number;
  /** Stored ids of accepted items, by input position; null for rejected items. */
  ids: (number | null)[];
  duplicates: number;
  rejected: { index: number; errors: FieldError[] }[];
}

/** Answer of `POST /api/events`. */
export interface SingleResult {
  id: number;
  duplicate: boolean;
}
