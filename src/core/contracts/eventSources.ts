/**
 * The channels an event can come through (`EventInput.source`). A module of its own, without zod,
 * so the store worker (the filter menus' list) loads no schema library; `events.ts` re-exports it.
 */
export const EVENT_SOURCES = ['api', 'hook', 'otel', 'import'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];
