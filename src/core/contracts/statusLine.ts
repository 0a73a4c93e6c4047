/**
 * The status-line bridge (issue 18): Claude Code runs the user's `statusLine` command with a JSON
 * object on stdin each time its status line may change (debounced 300 ms, killed after 5 s);
 * `agentmonitor statusline` forwards that object unchanged to `POST /api/statusline/claude-code`.
 *
 * The object, as Claude Code 2.1.197 builds it (its `statusline-setup` agent documents the same):
 * `session_id`, `transcript_path`, `cwd`, `prompt_id`?, `model {id, display_name}`,
 * `workspace {current_dir, project_dir, …}`, `version`, `cost {total_cost_usd, …}`,
 * `context_window {total_input_tokens, total_output_tokens, context_window_size, current_usage,
 * used_percentage, remaining_percentage}` and, for claude.ai subscribers once a response came,
 * `rate_limits {five_hour?, seven_day?}` with `used_percentage` (its utilization × 100, so not
 * always an integer) and `resets_at` (epoch seconds). Fields we do not read pass unvalidated.
 *
 * The route answers 200 `StatusLineAck` once the plan windows are stored (in `rate_limits`, beside
 * Codex's readings); a body we cannot use gets a 400 whose `error` names the field
 * (`rate_limits.five_hour.used_percentage: …`).
 */
import { z } from 'zod';
import { LONE_SURROGATE, hasLoneSurrogate } from './wellFormed';
import type { FieldError } from './events';

/** The two plan windows Claude Code reports, with their length in minutes. */
export const CLAUDE_PLAN_WINDOWS = { five_hour: 300, seven_day: 10_080 } as const;
export type ClaudePlanWindow = keyof typeof CLAUDE_PLAN_WINDOWS;

const text = (max: number) => z.string().max(max).refine((s) => !hasLoneSurrogate(s), LONE_SURROGATE);
const tokens = z.number().int().nonnegative().max(1e12);

const PlanWindowSchema = z.looseObject({
  /** Percent of the window's allowance used; above 100 when over it. */
  used_percentage: z.number().finite().nonnegative().max(10_000),
  /** When the window resets: epoch seconds (milliseconds accepted too). */
  resets_at: z.number().finite().positive().max(1e14).nullable().optional(),
});

export const ClaudeStatusLineSchema = z.looseObject({
  session_id: text(256).trim().min(1, 'missing'),
  transcript_path: text(4096).optional(),
  cwd: text(4096).optional(),
  version: text(64).optional(),
  model: z.looseObject({ id: text(256).optional(), display_name: text(256).optional() }).optional(),
  workspace: z.looseObject({ current_dir: text(4096).optional(), project_dir: text(4096).optional() }).optional(),
  context_window: z
    .looseObject({
      total_input_tokens: tokens.optional(),
      context_window_size: tokens.optional(),
      used_percentage: z.number().finite().nonnegative().max(10_000).nullable().optional(),
      current_usage: z
        .looseObject({
          input_tokens: tokens.optional(),
          output_tokens: tokens.optional(),
          cache_creation_input_tokens: tokens.optional(),
          cache_read_input_tokens: tokens.optional(),
        })
        .nullable()
        .optional(),
    })
    .optional(),
  rate_limits: z.looseObject({ five_hour: PlanWindowSchema.optional(), seven_day: PlanWindowSchema.optional() }).nullable().optional(),
});
export type ClaudeStatusLine = z.infer<typeof ClaudeStatusLineSchema>;

export type StatusLineValidation = { ok: true; value: ClaudeStatusLine } | { ok: false; errors: FieldError[] };

/** Validate a status-line object; errors name the field (`rate_limits.five_hour.resets_at`, …). */
export function validateStatusLine(raw: unknown): StatusLineValidation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(body)', message: "expected a JSON object (Claude Code's status-line input)" }] };
  }
  const parsed = ClaudeStatusLineSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => ({ field: i.path.length ? i.path.join('.') : '(body)', message: i.message })) };
}

/** Answer of `POST /api/statusline/claude-code`. */
export interface StatusLineAck {
  /** Plan windows written (0 when the input had none, or the same reading as the last one). */
  stored: number;
}
