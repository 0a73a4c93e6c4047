/**
 * The JSON Claude Code 2.1.197 writes to its status-line command, field for field as its bundled
 * code builds it (the object its status-line component passes to the command: `session_id`,
 * `transcript_path`, `cwd` first, then model, workspace, version, output_style, cost,
 * context_window, exceeds_200k_tokens, fast_mode, thinking and, for a claude.ai subscriber after a
 * first response, rate_limits with `utilization * 100` and the reset in epoch seconds). Fields
 * absent for this user (session_name, effort, vim, agent, pr, worktree) are left out, as it does.
 */
export function claudeStatusLineInput(o: { sessionId: string; cwd: string; fiveHour?: number; sevenDay?: number; resetsAt?: number; contextTokens?: number }): Record<string, unknown> {
  const ctx = o.contextTokens ?? 90_000;
  const used = Math.round((ctx / 200_000) * 100);
  const resets = o.resetsAt ?? Math.floor(Date.now() / 1000) + 3 * 3600;
  const rate: Record<string, unknown> = {};
  if (o.fiveHour !== undefined) rate.five_hour = { used_percentage: o.fiveHour * 100, resets_at: resets };
  if (o.sevenDay !== undefined) rate.seven_day = { used_percentage: o.sevenDay * 100, resets_at: resets + 4 * 86_400 };
  return {
    session_id: o.sessionId,
    transcript_path: `/home/u/.claude/projects/-p/${o.sessionId}.jsonl`,
    cwd: o.cwd,
    model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' },
    workspace: { current_dir: o.cwd, project_dir: o.cwd, added_dirs: [] },
    version: '2.1.197',
    output_style: { name: 'default' },
    cost: { total_cost_usd: 0.0123, total_duration_ms: 5400, total_api_duration_ms: 2100, total_lines_added: 0, total_lines_removed: 0 },
    context_window: {
      total_input_tokens: ctx,
      total_output_tokens: 120,
      context_window_size: 200_000,
      current_usage: { input_tokens: ctx - 80_000, output_tokens: 120, cache_creation_input_tokens: 30_000, cache_read_input_tokens: 50_000 },
      used_percentage: used,
      remaining_percentage: 100 - used,
    },
    exceeds_200k_tokens: false,
    fast_mode: false,
    thinking: { enabled: true },
    ...(Object.keys(rate).length ? { rate_limits: rate } : {}),
  };
}
