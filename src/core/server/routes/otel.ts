/**
 * OTLP/HTTP receiver: `POST /api/otel/v1/logs`, `/v1/metrics`, `/v1/traces`, so Claude Code
 * (`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:3142/api/otel`) and Codex (`[otel]` exporters
 * pointed at the full paths) export to us. `application/json` or `application/x-protobuf`, gzip
 * or not. Success answers are OTLP `Export*ServiceResponse`s in the request's encoding: `{}`, or
 * `partialSuccess` with the rejected count when some records could not be used. Unusable requests
 * get 400 (malformed), 413 (too large, also after inflating) or 415 (content type or encoding),
 * with a `google.rpc.Status` body; 503 when the store fails (exporters retry those). On a team
 * server the events are stored as the token's person, else the records' `user.email` /
 * `user.account_uuid` (the service token), from the resource's `host.name` machine.
 */
import type { Request, Response, Router } from 'express';
import { OtlpHttpError, decodeContentEncoding, otlpEncodingOf, parseOtlpBody, readRawBody, type OtlpEncoding } from '../../otel/otlpBody';
import { ingestOtlp, type OtlpDeps, type OtlpExportResult } from '../../otel/otlpIngest';
import { encodeOtlpResponse, encodeRpcStatus, type OtlpSignal } from '../../otel/otlpProto';
import { OtlpShapeError } from '../../otel/otlpRecords';
import type { ServerContext } from '../context';
import { writerMachine, writerPerson } from '../writer';

const REJECTED_FIELD: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

function otlpResponse(signal: OtlpSignal, result: OtlpExportResult): Record<string, unknown> {
  if (!result.rejected) return {};
  return { partialSuccess: { [REJECTED_FIELD[signal]]: String(result.rejected), errorMessage: result.errorMessage ?? '' } };
}

/** gRPC status codes for the `google.rpc.Status` error bodies. */
const RPC_CODE: Record<number, number> = { 400: 3, 413: 8, 415: 3, 503: 14 };

/**
 * An error answer: `google.rpc.Status` in the request's encoding, as OTLP/HTTP prescribes (JSON
 * also carries our usual `error` field); JSON when the encoding itself was the problem.
 */
function fail(res: Response, status: number, message: string, encoding: OtlpEncoding | null): void {
  const code = RPC_CODE[status] ?? 2;
  if (status === 413) res.setHeader('Connection', 'close');
  if (encoding === 'protobuf') {
    res.status(status).type('application/x-protobuf').send(Buffer.from(encodeRpcStatus(code, message)));
    return;
  }
  res.status(status).json({ error: message, code, message });
}

function send(res: Response, signal: OtlpSignal, encoding: OtlpEncoding, body: Record<string, unknown>): void {
  if (encoding === 'json') {
    res.status(200).json(body);
    return;
  }
  res.status(200).type('application/x-protobuf').send(Buffer.from(encodeOtlpResponse(signal, body)));
}

/** What the OTLP route needs: a local server's context, or a team server's (`team/teamServer.ts`, `team/pgOtel.ts`). */
export type OtelRouteContext = Pick<ServerContext, 'config' | 'ingest' | 'log'> & { store: OtlpDeps['store'] };

export function register(router: Router, ctx: OtelRouteContext): void {
  const maxBytes = ctx.config.maxBodyBytes;
  for (const signal of ['logs', 'metrics', 'traces'] as const) {
    router.post(`/api/otel/v1/${signal}`, async (req: Request, res: Response) => {
      let request: unknown;
      let encoding: OtlpEncoding | null = null;
      try {
        encoding = otlpEncodingOf(req.headers['content-type']);
        const raw = await readRawBody(req, maxBytes);
        const body = await decodeContentEncoding(raw, req.headers['content-encoding'], maxBytes);
        request = parseOtlpBody(signal, encoding, body);
      } catch (e) {
        if (!(e instanceof OtlpHttpError)) throw e;
        fail(res, e.status, e.message, e.status === 415 ? null : encoding);
        return;
      }
      let result: OtlpExportResult;
      try {
        result = await ingestOtlp(signal, request, { ingest: ctx.ingest, store: ctx.store, person: writerPerson(res), machine: writerMachine(res) });
      } catch (e) {
        if (e instanceof OtlpShapeError) {
          fail(res, 400, `invalid OTLP ${signal} request: ${e.message}`, encoding);
          return;
        }
        ctx.log.error(`OTLP ${signal} export failed: ${(e as Error).stack ?? String(e)}`);
        fail(res, 503, 'the store could not take this export; retry later', encoding);
        return;
      }
      if (result.rejected) ctx.log.debug(`OTLP ${signal}: rejected ${result.rejected} of ${result.received}: ${result.errorMessage}`);
      send(res, signal, encoding, otlpResponse(signal, result));
    });
  }
}
