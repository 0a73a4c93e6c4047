/**
 * JSON bodies as the event and hook routes read them: express.json within the body limit, and
 * refused (400) when the bytes are not valid UTF-8, which express.json would otherwise decode with
 * U+FFFD in place of the bad bytes, silently changing ids. `mayHoldLoneSurrogates` tells whether
 * the body spells a surrogate escape (`\ud…`), the only way valid UTF-8 JSON can hold a lone
 * surrogate: a route needs to walk its parsed body for one only then.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { NOT_UTF8 } from '../contracts/wellFormed';

const escaped = new WeakSet<IncomingMessage>();

/**
 * `encodedOnce`: also take a body that is a JSON string holding the JSON (a client that encoded its
 * payload twice, as some of the original AgentMonitor's senders do); `decodeOnce` unwraps it.
 */
export function jsonBody(limit: number, type: string[] | (() => boolean), opts: { encodedOnce?: boolean } = {}): RequestHandler {
  return express.json({
    limit,
    type,
    strict: !opts.encodedOnce,
    verify(req, _res, buf, encoding) {
      if (!/^utf-?8$/i.test(encoding)) return;
      if (!isUtf8(buf)) throw Object.assign(new Error(NOT_UTF8), { status: 400 });
      if (buf.includes('\\ud') || buf.includes('\\uD')) escaped.add(req);
    },
  });
}

export function mayHoldLoneSurrogates(req: IncomingMessage): boolean {
  return escaped.has(req);
}

/** A body that is a JSON string holding a JSON object or array, decoded; anything else as it is. */
export function decodeOnce(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const t = body.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return body;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return body;
  }
}
