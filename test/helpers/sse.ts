/**
 * A small real SSE client for tests: connects over HTTP, parses `event:`/`data:` frames and
 * comment lines, and lets a test wait for the message it expects.
 */
import * as http from 'node:http';
import type { SseMessage } from '../../src/core/contracts/sse';

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every message received so far, in order. */
  messages: SseMessage[];
  /** Comment lines received (without the leading colon), e.g. " heartbeat". */
  comments: string[];
  /** Resolves with the first message (already received or future) that satisfies `pred`. */
  waitFor<T extends SseMessage['type']>(type: T, pred?: (m: Extract<SseMessage, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<SseMessage, { type: T }>>;
  waitForComment(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  closed: Promise<void>;
  close(): void;
}

export interface SseRefusal {
  status: number;
  body: string;
}

type Waiter = () => boolean;

/** Connect to `url` (…/api/stream?…); resolves once headers arrive. Non-200 answers resolve as SseRefusal. */
export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient | SseRefusal> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        return;
      }
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      const waiters = new Set<Waiter>();
      let buf = '';
      let closedResolve: () => void = () => {};
      const closed = new Promise<void>((r) => (closedResolve = r));
      const check = () => {
        for (const w of [...waiters]) if (w()) waiters.delete(w);
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let idx: number;
        while ((idx = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1));
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) messages.push(JSON.parse(data) as SseMessage);
        }
        check();
      });
      res.on('close', () => closedResolve());
      const waitUntil = <R>(find: () => R | undefined, what: string, timeoutMs: number): Promise<R> =>
        new Promise((ok, fail) => {
          const timer = setTimeout(() => {
            waiters.delete(w);
            fail(new Error(`timed out waiting for ${what}; got ${messages.map((m) => m.type).join(',')}`));
          }, timeoutMs);
          const w = () => {
            const found = find();
            if (found === undefined) return false;
            clearTimeout(timer);
            ok(found);
            return true;
          };
          if (!w()) waiters.add(w);
        });
      resolve({
        status: 200,
        headers: res.headers,
        messages,
        comments,
        closed,
        waitFor(type, pred, timeoutMs = 10_000) {
          return waitUntil(
            () => messages.find((m) => m.type === type && (!pred || pred(m as never))) as never,
            `an SSE "${type}" message`,
            timeoutMs,
          );
        },
        waitForComment(text, timeoutMs = 10_000) {
          return waitUntil(() => (comments.some((c) => c.trim() === text) ? true : undefined), `an SSE comment "${text}"`, timeoutMs).then(() => {});
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}

export function isRefusal(c: SseClient | SseRefusal): c is SseRefusal {
  return !('messages' in c);
}

/** Connect and fail the test when the server refuses. */
export async function openSse(url: string, headers?: Record<string, string>): Promise<SseClient> {
  const c = await connectSse(url, headers);
  if (isRefusal(c)) throw new Error(`SSE refused: ${c.status} ${c.body}`);
  return c;
}
