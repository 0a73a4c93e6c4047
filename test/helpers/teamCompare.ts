/** What the team tests share to compare a local server's answers with a team server's. */
import assert from 'node:assert/strict';
import type { EventInput, StoredEvent } from '../../src/core/contracts/events';
import { getJson } from './postgres';

/** A stored event as the input that stores it again (computed costs are priced again by each server). */
export function asInput(e: StoredEvent): EventInput {
  const input: Record<string, unknown> = { ...e, client_timestamp: e.created_at };
  for (const k of ['id', 'created_at', 'received_at', 'payload_truncated', 'cost_source']) delete input[k];
  if (e.cost_source !== 'agent') delete input.cost_usd;
  for (const [k, v] of Object.entries(input)) if (v === null) delete input[k];
  return input as unknown as EventInput;
}

/** An answer without the keys in `skip` (what differs by construction), at any depth; costs to 1e-9. */
export function comparable(x: unknown, skip: ReadonlySet<string>): unknown {
  if (Array.isArray(x)) return x.map((v) => comparable(v, skip));
  if (x && typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (skip.has(k)) continue;
      o[k] = comparable(v, skip);
    }
    return o;
  }
  if (typeof x === 'number' && !Number.isInteger(x)) return Math.round(x * 1e9) / 1e9;
  return x;
}

/** GET `route` of both servers: both 200 and equal but for `skip`; the local answer. */
export async function sameAnswer(localUrl: string, teamUrl: string, route: string, skip: ReadonlySet<string>): Promise<unknown> {
  const [want, got] = await Promise.all([getJson<unknown>(localUrl + route), getJson<unknown>(teamUrl + route)]);
  assert.equal(want.status, 200, `local ${route}: ${JSON.stringify(want.body)}`);
  assert.equal(got.status, 200, `team ${route}: ${JSON.stringify(got.body)}`);
  assert.deepEqual(comparable(got.body, skip), comparable(want.body, skip), route);
  return want.body;
}
