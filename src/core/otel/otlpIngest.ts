/**
 * One decoded OTLP export → stored events (logs; Copilot CLI's spans), counters and metric-derived usage (metrics), with the
 * counts an OTLP `partialSuccess` answer needs. Every produced event is validated against the
 * event contract and handed to ingest with source `otel`.
 */
import { validateEvent, type EventInput } from '../contracts/events';
import { channelEventId, codexResponseKey, llmRequestEventId } from '../contracts/eventIds';
import type { IngestSink } from '../ingest/types';
import type { StoreClient } from '../store/storeClient';
import type { AgentAdapter } from '../agents/types';
import { eventNameOf, type CodexOrdinalRef, type MapOutcome } from './mappedEvent';
import { metricsUsageEvents } from './metricsUsage';
import { counterRowsOf } from './otelCounters';
import { otelAgentOf, spanAgentOf } from './otelAgent';
import { attrString } from './otlpAttributes';
import { logRecordsOf, metricPointsOf, spansOf, type Attributes, type OtlpLogRecord } from './otlpRecords';
import type { OtlpSignal } from './otlpProto';

export interface OtlpDeps {
  ingest: IngestSink;
  /** Codex ordinals and metric counters: the local store, or a team server's (`team/pgOtel.ts`). */
  store: Pick<StoreClient, 'query'>;
  /**
   * A team server: the person of the writing token, who every record is stored as. Unset (the
   * service token, or a local server): each record's `user.email`, else `user.account_uuid`.
   */
  person?: string;
  /** The machine when a record's resource names no `host.name` (a team server: the request's header). */
  machine?: string;
}

/** Who sent a record and from where: its resource's (else its own) `user.email` / `user.account_uuid` and `host.name`. */
interface Sender {
  person?: string;
  machine?: string;
}

function senderOf(resource: Attributes, attributes: Attributes): Sender {
  const pick = (key: string, max: number) => attrString(resource, key, max) ?? attrString(attributes, key, max);
  return { person: pick('user.email', 320) ?? pick('user.account_uuid', 320), machine: pick('host.name', 255) };
}

/**
 * Hand events to ingest in order, in chunks, a chunk per run of records from one sender, with the
 * sender as `IngestOptions.person` / `machine` (the token's person wins); a local store ignores both.
 */
async function ingestBySender(items: { event: EventInput; sender: Sender }[], deps: OtlpDeps): Promise<{ stored: number; duplicates: number }> {
  const runs: { sender: Sender; events: EventInput[] }[] = [];
  for (const { event, sender } of items) {
    const last = runs[runs.length - 1];
    if (last && last.sender.person === sender.person && last.sender.machine === sender.machine) last.events.push(event);
    else runs.push({ sender, events: [event] });
  }
  let stored = 0;
  let duplicates = 0;
  for (const { sender, events } of runs) {
    const person = deps.person ?? sender.person;
    const machine = sender.machine ?? deps.machine;
    for (let i = 0; i < events.length; i += INGEST_CHUNK) {
      const outcome = await deps.ingest.ingest(events.slice(i, i + INGEST_CHUNK), {
        source: 'otel',
        waitForStore: true,
        ...(person !== undefined ? { person } : {}),
        ...(machine !== undefined ? { machine } : {}),
      });
      stored += outcome.inserted + outcome.completed;
      duplicates += outcome.duplicates;
    }
  }
  return { stored, duplicates };
}

export interface OtlpExportResult {
  /** Log records, data points or spans in the request. */
  received: number;
  rejected: number;
  /** The first few rejection reasons, for `partialSuccess.errorMessage`. */
  errorMessage?: string;
  /** Events (logs) or counter rows (metrics) stored anew. */
  stored: number;
  duplicates: number;
}

const MAX_REASONS = 5;
const COUNTER_CHUNK = 2000;
const INGEST_CHUNK = 5000;

class Rejections {
  count = 0;
  private readonly reasons: string[] = [];
  add(what: string, index: number, reason: string): void {
    this.count++;
    if (this.reasons.length < MAX_REASONS) this.reasons.push(`${what} ${index}: ${reason}`);
  }
  message(): string | undefined {
    if (!this.count) return undefined;
    const more = this.count - this.reasons.length;
    return this.reasons.join('; ') + (more > 0 ? `; and ${more} more` : '');
  }
}

interface Pending {
  event: EventInput;
  sender: Sender;
  codexOrdinal?: CodexOrdinalRef;
}

export async function ingestOtlpLogs(request: unknown, deps: OtlpDeps): Promise<OtlpExportResult> {
  const records = logRecordsOf(request);
  const rejections = new Rejections();
  // Each agent's mapper lives for this request (Codex numbers a conversation's records within it).
  const mappers = new Map<AgentAdapter, ((rec: OtlpLogRecord) => MapOutcome) | null>();
  const pending: Pending[] = [];
  for (const rec of records) {
    if (rec.malformed) {
      rejections.add('log record', rec.index, 'not an object');
      continue;
    }
    const agent = otelAgentOf(rec.resource, eventNameOf(rec, ''));
    if (!agent) continue;
    let map = mappers.get(agent);
    if (map === undefined) mappers.set(agent, (map = agent.otel?.logMapper?.() ?? null));
    if (!map) continue;
    const out = map(rec);
    if (out.kind === 'ignored') continue;
    if (out.kind === 'rejected') {
      rejections.add('log record', rec.index, out.reason);
      continue;
    }
    const v = validateEvent(out.event.raw);
    if (!v.ok) {
      rejections.add('log record', rec.index, v.errors.map((e) => `${e.field}: ${e.message}`).join(', '));
      continue;
    }
    pending.push({ event: v.value, sender: senderOf(rec.resource, rec.attributes), codexOrdinal: out.event.codexOrdinal });
  }
  await assignCodexIds(pending, deps.store);
  const { stored, duplicates } = await ingestBySender(pending, deps);
  return { received: records.length, rejected: rejections.count, errorMessage: rejections.message(), stored, duplicates };
}

/**
 * Codex usage events get `llm:codex:<conversation>#<n>` and prompts `prompt:codex:<conversation>:<n>`
 * once the store numbered them, the ids the rollout importer gives the same response or prompt.
 */
async function assignCodexIds(pending: Pending[], store: OtlpDeps['store']): Promise<void> {
  const numbered = pending.filter((p) => p.codexOrdinal);
  if (!numbered.length) return;
  const ordinals = await store.query('assignCodexOrdinals', {
    items: numbered.map(({ codexOrdinal: o }) => ({ kind: o!.kind, conversation_id: o!.conversationId, record_key: o!.recordKey })),
  });
  numbered.forEach((p, i) => {
    const { kind, conversationId } = p.codexOrdinal!;
    p.event.event_id =
      kind === 'response'
        ? llmRequestEventId('codex', codexResponseKey(conversationId, ordinals[i]))
        : channelEventId('prompt', 'codex', conversationId, String(ordinals[i]));
  });
}

export async function ingestOtlpMetrics(request: unknown, deps: OtlpDeps): Promise<OtlpExportResult> {
  const points = metricPointsOf(request);
  const rejections = new Rejections();
  const { rows, sources, rejected } = counterRowsOf(points);
  for (const r of rejected) rejections.add('data point', r.index, r.reason);
  let stored = 0;
  let duplicates = 0;
  const usage: { event: EventInput; sender: Sender }[] = [];
  for (let i = 0; i < rows.length; i += COUNTER_CHUNK) {
    const chunk = rows.slice(i, i + COUNTER_CHUNK);
    const res = await deps.store.query('recordOtelCounters', { points: chunk });
    stored += res.inserted + res.updated;
    duplicates += res.unchanged;
    // A derived event sums one session's rows: it is sent by whoever sent that session's points.
    const senders = new Map<string, Sender>();
    chunk.forEach((row, j) => {
      if (!senders.has(row.session_id)) senders.set(row.session_id, senderOf(sources[i + j].resource, sources[i + j].attributes));
    });
    for (const raw of metricsUsageEvents(chunk, res.deltas)) {
      const v = validateEvent(raw);
      if (v.ok) usage.push({ event: v.value, sender: senders.get(v.value.session_id) ?? {} });
    }
  }
  // What the counters grew by stands in for the requests of sessions without log records.
  if (usage.length) await ingestBySender(usage, deps);
  return { received: points.length, rejected: rejections.count, errorMessage: rejections.message(), stored, duplicates };
}

/** Spans are counted; those an agent maps (Copilot CLI's `chat` and `execute_tool`) become events, others are not stored. */
export async function ingestOtlpTraces(request: unknown, deps: OtlpDeps): Promise<OtlpExportResult> {
  const spans = spansOf(request);
  const rejections = new Rejections();
  const events: { event: EventInput; sender: Sender }[] = [];
  for (const span of spans) {
    if (span.malformed) {
      rejections.add('span', span.index, 'not an object');
      continue;
    }
    const agent = spanAgentOf(span);
    if (!agent) continue;
    const out = agent.map(span);
    if (out.kind === 'ignored') continue;
    if (out.kind === 'rejected') {
      rejections.add('span', span.index, out.reason);
      continue;
    }
    const v = validateEvent(out.event.raw);
    if (!v.ok) {
      rejections.add('span', span.index, v.errors.map((e) => `${e.field}: ${e.message}`).join(', '));
      continue;
    }
    events.push({ event: v.value, sender: senderOf(span.resource, span.attributes) });
  }
  const { stored, duplicates } = await ingestBySender(events, deps);
  return { received: spans.length, rejected: rejections.count, errorMessage: rejections.message(), stored, duplicates };
}

export function ingestOtlp(signal: OtlpSignal, request: unknown, deps: OtlpDeps): Promise<OtlpExportResult> {
  if (signal === 'logs') return ingestOtlpLogs(request, deps);
  if (signal === 'metrics') return ingestOtlpMetrics(request, deps);
  return ingestOtlpTraces(request, deps);
}
