/**
 * Reading an OTLP/HTTP request body: bounded raw read, bounded gzip/deflate inflate, content type,
 * and decoding (JSON or protobuf) into the OTLP/JSON shape. Failures are `OtlpHttpError`s carrying
 * the status the route answers with.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import { NOT_UTF8 } from '../contracts/wellFormed';
import { decodeOtlpRequest, type OtlpSignal } from './otlpProto';

export class OtlpHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type OtlpEncoding = 'json' | 'protobuf';

/** `Content-Type` → encoding; anything else is a 415 naming what is supported. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  throw new OtlpHttpError(
    415,
    `Content-Type ${media ? `"${media}"` : '(missing)'} is not supported: use application/json or application/x-protobuf`,
  );
}

/** The raw body, at most `maxBytes`; a larger one is a 413 (the rest is not read). */
export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new OtlpHttpError(413, `request body of ${declared} bytes is larger than the limit of ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: OtlpHttpError | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(new OtlpHttpError(413, `request body larger than the limit of ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish(null));
    req.on('error', () => finish(new OtlpHttpError(400, 'the request body could not be read (connection aborted)')));
  });
}

function inflate(fn: typeof zlib.gunzip, raw: Buffer, maxBytes: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(raw, { maxOutputLength: maxBytes }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        return reject(new OtlpHttpError(413, `decompressed body larger than the limit of ${maxBytes} bytes`));
      }
      reject(new OtlpHttpError(400, `invalid ${name} body: ${err.message}`));
    });
  });
}

/** Undo `Content-Encoding` (gzip, deflate or none), never producing more than `maxBytes`. */
export function decodeContentEncoding(raw: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return Promise.resolve(raw);
  if (enc === 'gzip' || enc === 'x-gzip') return inflate(zlib.gunzip, raw, maxBytes, 'gzip');
  if (enc === 'deflate') return inflate(zlib.inflate, raw, maxBytes, 'deflate');
  return Promise.reject(new OtlpHttpError(415, `Content-Encoding "${enc}" is not supported: use gzip or none`));
}

const REQUEST_NAMES: Record<OtlpSignal, string> = {
  logs: 'ExportLogsServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
  traces: 'ExportTraceServiceRequest',
};

/** Decode the body into the OTLP/JSON shape; malformed input is a 400 naming the format. */
export function parseOtlpBody(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer): unknown {
  if (encoding === 'json') {
    if (!isUtf8(body)) throw new OtlpHttpError(400, NOT_UTF8);
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (e) {
      throw new OtlpHttpError(400, `invalid JSON body: ${(e as Error).message}`);
    }
  }
  try {
    return decodeOtlpRequest(signal, body);
  } catch (e) {
    throw new OtlpHttpError(400, `invalid protobuf ${REQUEST_NAMES[signal]}: ${(e as Error).message}`);
  }
}
