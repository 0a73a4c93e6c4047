/**
 * Our own event contract (DESIGN §4): `POST /api/events` (one event) and `POST /api/events/batch`
 * (an array, or `{events: [...]}`), validated with zod; one bad item never drops the others. A body
 * encoded twice (a JSON string holding the JSON) is decoded once.
 */
import type { Response, Router } from 'express';
import { validateEvent, type BatchResult, type EventInput, type FieldError, type ValidationResult } from '../../contracts/events';
import { LONE_SURROGATE, loneSurrogatePath } from '../../contracts/wellFormed';
import type { IngestOptions } from '../../ingest/types';
import type { ServerContext } from '../context';
import { decodeOnce, jsonBody, mayHoldLoneSurrogates } from '../jsonBody';
import { writerMachine, writerPerson } from '../writer';

/** Most items accepted in one batch request. */
export const MAX_BATCH_ITEMS = 5000;

export function register(router: Router, ctx: Pick<ServerContext, 'config' | 'ingest'>): void {
  const json = jsonBody(ctx.config.maxBodyBytes, ['application/json', 'application/*+json', 'text/plain'], { encodedOnce: true });

  router.post('/api/events', json, async (req, res, next) => {
    try {
      const v = check(decodeOnce(req.body), mayHoldLoneSurrogates(req));
      if (!v.ok) {
        res.status(400).json({ error: describe(v.errors), errors: v.errors });
        return;
      }
      const out = await ctx.ingest.ingest([v.value], writerOptions(res));
      const duplicate = out.duplicates > 0;
      res.status(duplicate ? 200 : 201).json({ id: out.ids[0], duplicate });
    } catch (e) {
      next(e);
    }
  });

  router.post('/api/events/batch', json, async (req, res, next) => {
    try {
      const body = decodeOnce(req.body);
      const items = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events) ? (body as { events: unknown[] }).events : null;
      if (!items) {
        res.status(400).json({ error: 'events: expected a JSON array of events, or {"events": [...]}', errors: [{ field: 'events', message: 'expected an array' }] });
        return;
      }
      if (items.length > MAX_BATCH_ITEMS) {
        res.status(413).json({ error: `events: at most ${MAX_BATCH_ITEMS} events per batch, got ${items.length}` });
        return;
      }
      const result: BatchResult = { received: items.length, ids: new Array(items.length).fill(null), duplicates: 0, rejected: [] };
      const deep = mayHoldLoneSurrogates(req);
      const valid: EventInput[] = [];
      const positions: number[] = [];
      items.forEach((item, index) => {
        const v = check(item, deep);
        if (v.ok) {
          valid.push(v.value);
          positions.push(index);
        } else result.rejected.push({ index, errors: v.errors.map((e) => ({ ...e, field: `events[${index}].${e.field}` })) });
      });
      if (valid.length) {
        const out = await ctx.ingest.ingest(valid, writerOptions(res));
        positions.forEach((p, i) => (result.ids[p] = out.ids[i]));
        result.duplicates = out.duplicates;
      }
      res.status(valid.length ? 201 : 400).json(valid.length ? result : { ...result, error: 'every event in the batch was rejected' });
    } catch (e) {
      next(e);
    }
  });
}

/** The contract's validation; with `deep`, metadata strings are checked for lone surrogates too. */
function check(item: unknown, deep: boolean): ValidationResult {
  const v = validateEvent(item);
  if (!v.ok || !deep) return v;
  const at = loneSurrogatePath((item as { metadata?: unknown }).metadata, 'metadata');
  return at ? { ok: false, errors: [{ field: at, message: LONE_SURROGATE }] } : v;
}

function describe(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** Who wrote the request, and from where (a team server; `server/writer.ts`). */
function writerOptions(res: Response): IngestOptions {
  const person = writerPerson(res);
  const machine = writerMachine(res);
  return { source: 'api', ...(person !== undefined ? { person } : {}), ...(machine !== undefined ? { machine } : {}) };
}
