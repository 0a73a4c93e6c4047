/**
 * One SSE subscription to `GET /api/stream`: parses `event:`/`data:` frames into `SseMessage`s,
 * reports connects and disconnects, bounds line and frame sizes. It does not reconnect by itself:
 * the owner (the live-data service) decides, since a disconnect may mean the server went away and
 * this window should take over. No `vscode`.
 */
import * as http from 'node:http';
import type { SseMessage } from '../../core/contracts/sse';
import { SSE_MESSAGE_TYPES } from '../../core/contracts/sse';

const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface SseHandlers {
  onOpen(): void;
  onMessage(msg: SseMessage): void;
  /** Called once per connection when it ends or fails; `error` is set when it never opened or failed. */
  onClose(error?: Error): void;
}

/** Incremental SSE frame parser (spec subset: `event`, `data`, comments, CRLF/LF). */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private dataBytes = 0;

  constructor(private readonly onFrame: (event: string, data: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buf.slice(0, nl);
      const sepLen = this.buf.startsWith('\r\n', nl) ? 2 : 1;
      this.buf = this.buf.slice(nl + sepLen);
      this.line(line);
    }
    if (this.buf.length > MAX_FRAME_BYTES) throw new Error(`SSE line longer than ${MAX_FRAME_BYTES} bytes`);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onFrame(this.event || 'message', this.data.join('\n'));
      this.event = '';
      this.data = [];
      this.dataBytes = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.dataBytes += value.length;
      if (this.dataBytes > MAX_FRAME_BYTES) throw new Error(`SSE frame larger than ${MAX_FRAME_BYTES} bytes`);
      this.data.push(value);
    }
  }
}

export function parseSseMessage(event: string, data: string): SseMessage | null {
  if (!(SSE_MESSAGE_TYPES as readonly string[]).includes(event)) return null;
  try {
    const msg = JSON.parse(data) as SseMessage;
    return msg && typeof msg === 'object' && msg.type === event ? msg : null;
  } catch {
    return null;
  }
}

export interface SseConnection {
  close(): void;
}

export function connectSse(url: string, handlers: SseHandlers, token?: string): SseConnection {
  let closed = false;
  let opened = false;
  const finish = (err?: Error) => {
    if (closed) return;
    closed = true;
    handlers.onClose(err);
  };
  const headers: http.OutgoingHttpHeaders = { accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const req = http.get(url, { headers }, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      finish(new Error(`GET /api/stream answered ${res.statusCode}`));
      req.destroy();
      return;
    }
    opened = true;
    handlers.onOpen();
    res.setEncoding('utf8');
    const parser = new SseParser((event, data) => {
      const msg = parseSseMessage(event, data);
      if (msg) handlers.onMessage(msg);
    });
    res.on('data', (chunk: string) => {
      try {
        parser.push(chunk);
      } catch (err) {
        req.destroy(err as Error);
      }
    });
    res.on('end', () => finish());
    res.on('error', (err) => finish(err));
    res.on('close', () => finish());
  });
  req.on('error', (err) => finish(opened ? undefined : err));
  return {
    close() {
      closed = true;
      req.destroy();
    },
  };
}
