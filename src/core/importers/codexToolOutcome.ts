/**
 * What a Codex tool call's output says of its outcome. Codex reports a shell command that exits
 * non-zero as a successful tool call (OTLP `success: true`, no flag in the rollout), so the exit
 * code is read from the output text, in every shape Codex has written it. The rollout importer and
 * the OTLP mapper both use this, so the two channels agree on the status.
 */
import { isObj } from './types';

/** Status and duration of a Codex tool call from its output (`{output, metadata: {exit_code, duration_seconds}}`). */
export function toolOutcome(output: unknown): { status: 'success' | 'error'; durationMs?: number } {
  if (typeof output === 'string' && output.startsWith('{')) {
    // `{"output": "...", "metadata": {...}}`: the inner text is an escaped string, so an unescaped
    // `"metadata":{` can only be the real key; read the small object after it.
    const at = output.lastIndexOf('"metadata":{');
    const end = at >= 0 ? output.indexOf('}', at) : -1;
    if (end > at) {
      try {
        const m = JSON.parse(output.slice(at + 11, end + 1)) as Record<string, unknown>;
        const code = m.exit_code;
        const secs = m.duration_seconds;
        return {
          status: typeof code === 'number' && code !== 0 ? 'error' : 'success',
          durationMs: typeof secs === 'number' && secs >= 0 ? Math.round(secs * 1000) : undefined,
        };
      } catch {
        /* not the shape we know */
      }
    }
  }
  if (isObj(output) && isObj(output.metadata)) return toolOutcome(JSON.stringify({ metadata: output.metadata }));
  if (typeof output === 'string') {
    // Plain-text outputs: `Exit code: N` (older exec), or the unified exec header of Codex ≥ 0.16x:
    // `Chunk ID: …\nWall time: 0.0123 seconds\nProcess exited with code N\n…`.
    const head = output.slice(0, 300);
    const m = /^(?:Exit code:|Process exited with code) (-?\d+)/m.exec(head);
    if (m) {
      const wall = /^Wall time: ([\d.]+) seconds/m.exec(head);
      const secs = wall ? Number(wall[1]) : NaN;
      const status = m[1] === '0' ? 'success' : 'error';
      return Number.isFinite(secs) ? { status, durationMs: Math.round(secs * 1000) } : { status };
    }
  }
  return { status: 'success' };
}
