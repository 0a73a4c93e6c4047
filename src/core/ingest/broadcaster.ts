/**
 * Where ingest, imports and the store's consumers announce what changed: the server's SSE hub, or
 * a hub that tells nobody (CLI runs).
 */
import type { Request, Response } from 'express';
import type { EventFilter, SseMessage } from '../contracts/sse';

export interface Broadcaster {
  broadcast(msg: SseMessage): void;
  clientCount(): number;
  /** Take over an SSE request (`GET /api/stream`); absent on hubs that serve no clients. */
  attach?(req: Request, res: Response, filter: EventFilter): void;
}
