/**
 * OTLP/HTTP protobuf bodies, decoded by protobufjs with the official OTLP definitions (vendored in
 * `proto/`, loaded through the JSON descriptor generated from them). Decoded messages are turned
 * into the same plain shape OTLP/JSON has (camelCase names, 64-bit integers as decimal strings,
 * enums as numbers), so one mapper handles both encodings.
 */
import { Root, type IConversionOptions, type Type } from 'protobufjs/light';
import descriptor from './otlpDescriptor.json';

export type OtlpSignal = 'logs' | 'metrics' | 'traces';

const SERVICE: Record<OtlpSignal, { request: string; response: string }> = {
  logs: {
    request: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
    response: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  },
  metrics: {
    request: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    response: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  },
  traces: {
    request: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    response: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  },
};

const TO_OBJECT: IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false, arrays: true };

let root: Root | null = null;
function type(name: string): Type {
  root ??= Root.fromJSON(descriptor as Parameters<typeof Root.fromJSON>[0]);
  return root.lookupType(name);
}

/** Decode an Export*ServiceRequest; throws on malformed or truncated input. */
export function decodeOtlpRequest(signal: OtlpSignal, body: Uint8Array): Record<string, unknown> {
  const t = type(SERVICE[signal].request);
  return t.toObject(t.decode(body), TO_OBJECT);
}

/** Encode an Export*ServiceRequest from its OTLP/JSON shape (what a protobuf exporter would send). */
export function encodeOtlpRequest(signal: OtlpSignal, request: Record<string, unknown>): Uint8Array {
  const t = type(SERVICE[signal].request);
  return t.encode(t.fromObject(request)).finish();
}

/** Encode an Export*ServiceResponse (`{}` or `{partialSuccess: {...}}`) as protobuf. */
export function encodeOtlpResponse(signal: OtlpSignal, response: Record<string, unknown>): Uint8Array {
  const t = type(SERVICE[signal].response);
  return t.encode(t.fromObject(response)).finish();
}

/**
 * `google.rpc.Status` (code and message; `details` left out), the body OTLP/HTTP prescribes for
 * 4xx/5xx answers to protobuf requests.
 */
const STATUS_DESCRIPTOR = {
  nested: { google: { nested: { rpc: { nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } } } } } },
};
let statusType: Type | null = null;
function status(): Type {
  statusType ??= Root.fromJSON(STATUS_DESCRIPTOR).lookupType('google.rpc.Status');
  return statusType;
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return status().encode(status().fromObject({ code, message })).finish();
}

export function decodeRpcStatus(body: Uint8Array): { code?: number; message?: string } {
  return status().toObject(status().decode(body), TO_OBJECT);
}

/** Decode an Export*ServiceResponse (tests use it to read protobuf answers). */
export function decodeOtlpResponse(signal: OtlpSignal, body: Uint8Array): Record<string, unknown> {
  const t = type(SERVICE[signal].response);
  return t.toObject(t.decode(body), TO_OBJECT);
}
