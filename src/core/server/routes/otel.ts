/**
 * OTLP/HTTP receiver: `POST /api/otel/v1/logs`, `/v1/metrics`, `/v1/traces`, so Claude Code
 * (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:3142/api/otel`) and Codex (`[otel]` exporters
 * pointed at the full paths) export to us. `application/json` or `application/x-protobuf`, gzip
 * or not. Success answers are OTLP `Export*ServiceResponse`s in the request's encoding: `{}`, or
 * `partialSuccess` with the rejected count when some records could not be used. Unusable requests
 * get 400 (malformed), 413 (too large, also after inflating) or 415 (content type or encoding).
 */
import type { Request, Response, Router } from 'express';
import { OtlpHttpError, decodeContentEncoding, otlpEncodingOf, parseOtlpBody, readRawBody, type OtlpEncoding } from '../../otel/otlpBody';
import { ingestOtlp, type OtlpExportResult } from '../../otel/otlpIngest';
import { encodeOtlpResponse, type OtlpSignal } from '../../otel/otlpProto';
import { OtlpShapeError } from '../../otel/otlpRecords';
import type { ServerContext } from '../context';

const REJECTED_FIELD: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

function otlpResponse(signal: OtlpSignal, result: OtlpExportResult): Record<string, unknown> {
  if (!result.rejected) return {};
  return { partialSuccess: { [REJECTED_FIELD[signal]]: String(result.rejected), errorMessage: result.errorMessage ?? '' } };
}

function send(res: Response, signal: OtlpSignal, encoding: OtlpEncoding, body: Record<string, unknown>): void {
  if (encoding === 'json') {
    res.status(200).json(body);
    return;
  }
  res.status(200).type('application/x-protobuf').send(Buffer.from(encodeOtlpResponse(signal, body)));
}

export function register(router: Router, ctx: ServerContext): void {
  const maxBytes = ctx.config.maxBodyBytes;
  for (const signal of ['logs', 'metrics', 'traces'] as const) {
    router.post(`/api/otel/v1/${signal}`, async (req: Request, res: Response) => {
      let request: unknown;
      let encoding: OtlpEncoding;
      try {
        encoding = otlpEncodingOf(req.headers['content-type']);
        const raw = await readRawBody(req, maxBytes);
        const body = await decodeContentEncoding(raw, req.headers['content-encoding'], maxBytes);
        request = parseOtlpBody(signal, encoding, body);
      } catch (e) {
        if (!(e instanceof OtlpHttpError)) throw e;
        if (e.status === 413) res.setHeader('Connection', 'close');
        res.status(e.status).json({ error: e.message });
        return;
      }
      let result: OtlpExportResult;
      try {
        result = await ingestOtlp(signal, request, { ingest: ctx.ingest, store: ctx.store });
      } catch (e) {
        if (e instanceof OtlpShapeError) {
          res.status(400).json({ error: `invalid OTLP ${signal} request: ${e.message}` });
          return;
        }
        ctx.log.error(`OTLP ${signal} export failed: ${(e as Error).stack ?? String(e)}`);
        res.status(503).json({ error: 'the store could not take this export; retry later' });
        return;
      }
      if (result.rejected) ctx.log.debug(`OTLP ${signal}: rejected ${result.rejected} of ${result.received}: ${result.errorMessage}`);
      send(res, signal, encoding, otlpResponse(signal, result));
    });
  }
}
