/** Small bounded HTTP/JSON client over node:http for talking to the local server. No `vscode`. */
import * as http from 'node:http';

export interface HttpOptions {
  method?: string;
  body?: unknown;
  token?: string;
  timeoutMs?: number;
  /** Answers larger than this are refused. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(url: string, opts: HttpOptions = {}): Promise<RawResponse> {
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request(url, { method: opts.method ?? (payload ? 'POST' : 'GET'), headers, signal: opts.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy(new Error(`answer from ${url} larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function requestJson<T>(url: string, opts: HttpOptions = {}): Promise<T> {
  const res = await request(url, opts);
  if (res.status < 200 || res.status >= 300) {
    let msg = res.body.slice(0, 300);
    try {
      const j = JSON.parse(res.body) as { error?: string };
      if (j.error) msg = j.error;
    } catch {
      // not JSON: keep the text
    }
    throw new HttpError(`${opts.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}: ${msg}`, res.status, res.body);
  }
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new HttpError(`${new URL(url).pathname} did not answer JSON`, res.status, res.body.slice(0, 300));
  }
}
