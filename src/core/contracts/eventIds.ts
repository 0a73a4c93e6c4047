/**
 * Deterministic event ids: how channels that see the same thing agree on one `event_id`, so that
 * it is stored and counted once (DESIGN §4, "counted once"). Every producer of these events
 * (transcript importers, OTLP mappers, hook normalizers) must build ids with these functions.
 *
 * - One LLM API call (usage + cost): `llm:<agent_type>:<request id>`.
 *   Claude Code: the transcript's `requestId` equals OTLP `api_request.request_id`.
 *   Codex: there is no request id in the rollout; the identity of a response is its ordinal among
 *   the usage-bearing responses of the conversation (1-based, counting each changed
 *   `total_token_usage` once, never the replayed history of a fork), i.e.
 *   `codexResponseKey(conversationId, n)`. The OTLP mapper numbers `codex.sse_event`
 *   `response.completed` records of a conversation the same way: only records carrying token
 *   counts (Codex also logs a count-less `response.completed`), in arrival order, the number kept
 *   per record in the store (`otel_codex_responses`) so a re-sent export or a restart keeps it.
 *   The conversation id is OTLP `conversation.id` = rollout `session_meta.id`. Limits: a server
 *   that starts receiving OTLP mid-conversation numbers from 1 and disagrees with the rollout, as
 *   does one whose exporter dropped a batch; those calls may then count twice across channels.
 *   Gemini CLI: neither its chat log (a message id) nor its OTLP `gemini_cli.api_response` record
 *   (a prompt id, shared by every call of a turn) names the other's call; both carry the call's
 *   exact usage, so the identity is the session and the usage, `geminiUsageKey` (session.id =
 *   the chat log's `sessionId`; a sub-agent's calls carry the parent's). Limit: two calls of one
 *   session with the same five counts (the prompt grows every call of a conversation, so in
 *   practice only a rewound and repeated identical turn) are one call to OTLP; the importer gives
 *   the later one `<key>~<message id>`, so with the chat log both count.
 *   Copilot CLI: a call's `session.usage_record` names the provider's response id
 *   (`accounting.usageId`, = `apiCallId`), so the identity is the session and that id,
 *   `copilotCallKey`; usage its `session.shutdown` totals hold beyond the counted calls is keyed by
 *   the shutdown event's id and the model.
 *   OpenCode: its database names a call by its message id, which `session fork` changes when it
 *   copies a session; the copy keeps the message's provider, model, creation time (ms) and tokens,
 *   so those are the identity (`opencodeUsageKey`), and a fork's copies count once. Its prompts
 *   and answers are keyed the same way (session `copy`), its tool calls by call id and start time.
 * - One tool call: `tool:<agent_type>:<tool_use_id>` (Claude `tool_use_id` in hooks and
 *   transcripts; Codex `call_id`). A PreToolUse stores it with status `running`; the
 *   PostToolUse/transcript result completes it.
 * - Other events that several channels see (prompts, session lifecycle) use
 *   `<kind>:<agent_type>:<session_id>:<discriminator>` built with `channelEventId`.
 * - Usage derived from OTLP metric deltas (`claude_code.token.usage` / `cost.usage`) of a session
 *   whose log records never arrive: `usage-metrics:<agent_type>:<session_id>#<series and interval>`.
 *   Such an event stands in for the session's requests only while none is stored: the store drops
 *   it when another `llm_request` of the session arrives, and skips it when one is there already.
 *   Copilot CLI's session store (`session-store.db`, whose rows name no response id) stands in the
 *   same way for a session whose log gives none of its calls: `…#store:<row id>`.
 */
export function llmRequestEventId(agentType: string, requestId: string): string {
  return `llm:${agentType}:${requestId}`;
}

export function codexResponseKey(conversationId: string, ordinal: number): string {
  return `${conversationId}#${ordinal}`;
}

/** Gemini usage as the API reports it (`usageMetadata`; the chat log's `tokens`). */
export interface GeminiUsage {
  input: number;
  output: number;
  cached: number;
  thoughts: number;
  tool: number;
}

export function geminiUsageKey(sessionId: string, u: GeminiUsage): string {
  return `${sessionId}#${u.input}.${u.output}.${u.cached}.${u.thoughts}.${u.tool}`;
}

export function copilotCallKey(sessionId: string, callId: string): string {
  return `${sessionId}#${callId}`;
}

/** OpenCode's stored usage of one call (`message.data.tokens`). */
export interface OpencodeUsage {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export function opencodeUsageKey(provider: string, model: string, createdMs: number, u: OpencodeUsage): string {
  return `${provider}/${model}@${createdMs}#${u.input}.${u.output}.${u.reasoning}.${u.cacheRead}.${u.cacheWrite}`;
}

export function toolEventId(agentType: string, toolUseId: string): string {
  return `tool:${agentType}:${toolUseId}`;
}

export function channelEventId(kind: string, agentType: string, sessionId: string, discriminator: string): string {
  return `${kind}:${agentType}:${sessionId}:${discriminator}`;
}

export const METRICS_USAGE_ID_PREFIX = 'usage-metrics:';

export function metricsUsageEventId(agentType: string, sessionId: string, key: string): string {
  return `${METRICS_USAGE_ID_PREFIX}${agentType}:${sessionId}#${key}`;
}

/** The `[from, to)` range of a session's metric-derived usage ids. */
export function metricsUsageIdRange(agentType: string, sessionId: string): [string, string] {
  const prefix = metricsUsageEventId(agentType, sessionId, '');
  return [prefix, `${prefix.slice(0, -1)}$`];
}
