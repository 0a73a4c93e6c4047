/**
 * Which registered agent an OTLP record, metric or span comes from (each adapter's `otel`,
 * `src/core/agents/`): a resource's `service.name` first, then the record's or metric's name.
 */
import { AGENTS } from '../agents/registry';
import type { AgentAdapter } from '../agents/types';
import type { Attributes, OtlpSpan } from './otlpRecords';

export function otelAgentOf(resource: Attributes, name: string, agents: readonly AgentAdapter[] = AGENTS): AgentAdapter | null {
  const service = resource['service.name'];
  if (typeof service === 'string') {
    const byService = agents.find((a) => a.otel?.service?.(service));
    if (byService) return byService;
  }
  return agents.find((a) => a.otel?.namePrefix && name.startsWith(a.otel.namePrefix)) ?? null;
}

/** The agent whose span this is and its mapping, or null for a span no agent claims. */
export function spanAgentOf(span: OtlpSpan, agents: readonly AgentAdapter[] = AGENTS): NonNullable<NonNullable<AgentAdapter['otel']>['spans']> | null {
  for (const a of agents) if (a.otel?.spans?.accepts(span)) return a.otel.spans;
  return null;
}
