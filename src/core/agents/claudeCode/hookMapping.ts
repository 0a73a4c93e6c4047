/**
 * Claude Code's hook payloads (the JSON its hooks send on stdin or POST) → events of the contract.
 * Codex's hooks send the same payloads (its hook events copy Claude Code's, with `turn_id` for
 * `prompt_id`), so the Codex adapter maps them here too. Every hook event is kept: known ones map
 * to their event type, unknown ones become `hook_event` rows carrying their name and scalar fields.
 *
 * Identity follows `contracts/eventIds.ts`: a tool call is `toolEventId(agent, tool_use_id)`, so
 * the PreToolUse row (status `running`) is completed by its PostToolUse / PostToolUseFailure and a
 * transcript import of the same call is stored once. Work inside a subagent (payloads carrying
 * `agent_id`) stays in the session that spawned it, with `agent_id` and `subagent_type` in its
 * metadata, where the transcript importer and the OTLP mapper put it too (Claude Code writes the
 * parent's session id into subagent transcripts and telemetry), so a call is attributed the same
 * whichever channel stores it first; the session gets `subagent_start` / `subagent_stop` (ids as
 * the transcript importer builds them). A first SessionStart is
 * `channelEventId('session_start', agent, session, 'start')` and a prompt
 * `channelEventId('user_prompt', agent, session, prompt_id | turn_id)`, as the OTLP mappers build them.
 */
import { channelEventId, toolEventId } from '../../contracts/eventIds';
import type { EventInputRaw, EventType } from '../../contracts/events';
import type { HookNormalizeContext } from '../../hooks/normalize';
import { clip, genericFields, isRecord, num, str, summarizeToolInput, summarizeToolResponse } from '../../hooks/summarize';

const TEXT_MAX = 4000;

type Meta = Record<string, unknown>;

function compact(meta: Meta): Meta {
  for (const k of Object.keys(meta)) if (meta[k] === undefined) delete meta[k];
  return meta;
}

export function mapClaudeStyleHook(agent: 'claude-code' | 'codex', payload: Record<string, unknown>, ctx: HookNormalizeContext): EventInputRaw[] {
  const hookName = str(payload, 'hook_event_name', 100) ?? 'unknown';
  const sid = str(payload, 'session_id', 200) ?? '';
  const agentId = str(payload, 'agent_id', 50);
  const subagentType = str(payload, 'agent_type', 100);
  const isSubagentLifecycle = hookName === 'SubagentStart' || hookName === 'SubagentStop';
  const cwd = str(payload, 'cwd', 512);
  const branch = cwd ? ctx.branchFor(cwd) ?? undefined : undefined;
  const turn = str(payload, 'prompt_id', 100) ?? str(payload, 'turn_id', 100);
  const model = str(payload, 'model', 200);
  const transcriptPath = str(payload, 'transcript_path', 1000);

  const baseMeta = (): Meta =>
    compact({
      hook_event_name: hookName,
      prompt_id: str(payload, 'prompt_id', 100),
      turn_id: str(payload, 'turn_id', 100),
      ...(agentId && !isSubagentLifecycle ? { agent_id: agentId, subagent_type: subagentType } : {}),
    });

  const event = (eventType: EventType, fields: Partial<EventInputRaw>, meta: Meta): EventInputRaw => ({
    session_id: sid,
    agent_type: agent,
    event_type: eventType,
    project: cwd,
    branch,
    source: 'hook',
    ...fields,
    metadata: compact({ ...baseMeta(), ...meta }),
  });

  const toolName = str(payload, 'tool_name', 200);
  const toolUseId = str(payload, 'tool_use_id', 200);
  const toolId = toolUseId ? toolEventId(agent, toolUseId) : undefined;
  const input = () => summarizeToolInput(payload.tool_input);

  switch (hookName) {
    case 'SessionStart': {
      const source = str(payload, 'source', 50);
      const first = !source || source === 'startup';
      return [
        event('session_start', { model, event_id: first ? channelEventId('session_start', agent, sid, 'start') : undefined }, {
          source,
          model,
          agent_name: subagentType,
          transcript_path: transcriptPath,
        }),
      ];
    }
    case 'SessionEnd':
      return [event('session_end', {}, { reason: str(payload, 'reason', 200), transcript_path: transcriptPath })];
    case 'UserPromptSubmit':
      return [
        event(
          'user_prompt',
          { model, event_id: turn ? channelEventId('user_prompt', agent, sid, turn) : undefined },
          { prompt: str(payload, 'prompt', TEXT_MAX), transcript_path: agentId ? undefined : transcriptPath },
        ),
      ];
    case 'PreToolUse':
      if (toolId) ctx.pairing.toolStarted(toolId, ctx.receivedAt);
      return [
        event('tool_use', { tool_name: toolName, event_id: toolId, status: toolId ? 'running' : undefined }, { input: input() }),
      ];
    case 'PostToolUse':
    case 'PostToolUseFailure': {
      const failed = hookName === 'PostToolUseFailure';
      const reported = num(payload, 'duration_ms');
      const paired = toolId ? ctx.pairing.toolFinished(toolId, ctx.receivedAt) : undefined;
      return [
        event(
          'tool_use',
          { tool_name: toolName, event_id: toolId, status: failed ? 'error' : 'success', duration_ms: reported ?? paired },
          {
            input: input(),
            output: summarizeToolResponse(payload.tool_response),
            error: failed ? str(payload, 'error', 1000) : undefined,
            interrupted: payload.is_interrupt === true ? true : undefined,
          },
        ),
      ];
    }
    case 'PostToolBatch': {
      const calls = Array.isArray(payload.tool_calls) ? payload.tool_calls.filter(isRecord) : [];
      return [
        event('hook_event', {}, {
          tool_count: calls.length,
          tools: calls.slice(0, 20).map((c) => str(c, 'tool_name', 100) ?? '?'),
          tool_use_ids: calls.slice(0, 20).map((c) => str(c, 'tool_use_id', 200) ?? null),
        }),
      ];
    }
    case 'PermissionRequest':
    case 'PermissionDenied':
      return [
        event(hookName === 'PermissionRequest' ? 'permission_request' : 'permission_denied', { tool_name: toolName }, {
          input: input(),
          tool_use_id: toolUseId,
          reason: str(payload, 'reason', 500),
          message: str(payload, 'message', 500),
        }),
      ];
    case 'Notification':
      return [
        event('notification', {}, {
          message: str(payload, 'message', 1000),
          title: str(payload, 'title', 200),
          notification_type: str(payload, 'notification_type', 100),
        }),
      ];
    case 'Stop':
    case 'Interrupt':
      return [
        event('stop', { event_id: turn && payload.stop_hook_active !== true ? channelEventId(hookName === 'Stop' ? 'stop' : 'interrupt', agent, sid, turn) : undefined }, {
          reason: hookName === 'Interrupt' ? 'interrupt' : undefined,
          last_assistant_message: str(payload, 'last_assistant_message', TEXT_MAX),
          stop_hook_active: payload.stop_hook_active === true ? true : undefined,
        }),
      ];
    case 'StopFailure':
      return [
        event('error', { status: 'error' }, {
          error: str(payload, 'error', 1000),
          error_details: str(payload, 'error_details', 1000),
          last_assistant_message: str(payload, 'last_assistant_message', 1000),
        }),
      ];
    case 'SubagentStart':
    case 'SubagentStop': {
      if (!agentId) return [event('hook_event', {}, genericFields(payload))];
      const start = hookName === 'SubagentStart';
      return [
        event(
          start ? 'subagent_start' : 'subagent_stop',
          { event_id: channelEventId(start ? 'subagent_start' : 'subagent_stop', agent, sid, agentId) },
          {
            agent_id: agentId,
            subagent_type: subagentType,
            last_assistant_message: str(payload, 'last_assistant_message', TEXT_MAX),
            agent_transcript_path: str(payload, 'agent_transcript_path', 1000),
          },
        ),
      ];
    }
    case 'PreCompact':
    case 'PostCompact': {
      const key = `${agent}\u0000${sid}`;
      const meta = {
        trigger: str(payload, 'trigger', 50),
        custom_instructions: str(payload, 'custom_instructions', 1000),
        compact_summary: str(payload, 'compact_summary', 2000),
      };
      if (hookName === 'PreCompact') {
        const id = channelEventId('compaction', agent, sid, String(ctx.receivedAt));
        ctx.pairing.compactionStarted(key, id, ctx.receivedAt);
        return [event('compaction', { event_id: id, status: 'running' }, meta)];
      }
      const started = ctx.pairing.compactionFinished(key);
      return [
        event('compaction', {
          event_id: started?.id ?? channelEventId('compaction', agent, sid, String(ctx.receivedAt)),
          status: 'success',
          duration_ms: started ? Math.max(0, ctx.receivedAt - started.at) : undefined,
        }, meta),
      ];
    }
    case 'MessageDisplay': {
      if (payload.final === false) return [];
      const messageId = str(payload, 'message_id', 200);
      return [
        event('response', { event_id: messageId ? channelEventId('message', agent, sid, messageId) : undefined }, {
          text: typeof payload.delta === 'string' ? clip(payload.delta, TEXT_MAX) : undefined,
          message_id: messageId,
        }),
      ];
    }
    case 'FileChanged':
      return [event('file_change', {}, genericFields(payload))];
    default:
      return [event('hook_event', {}, { model, ...genericFields(payload) })];
  }
}
