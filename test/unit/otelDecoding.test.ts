import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { OtlpHttpError, decodeContentEncoding, otlpEncodingOf, parseOtlpBody } from '../../src/core/otel/otlpBody';
import { decodeOtlpRequest, encodeOtlpRequest } from '../../src/core/otel/otlpProto';
import { DESCRIPTOR_PATH, descriptorFromProtoFiles } from '../../src/core/otel/proto/generateDescriptor';
import { anyValue, logRecordTime, logRecordsOf, metricPointsOf, uint64String, type OtlpLogRecord } from '../../src/core/otel/otlpRecords';
import { FIXTURES_DIR } from '../helpers/sharedDir';

const FIXTURES = FIXTURES_DIR;
const CAPTURED = path.join(FIXTURES, 'captured');

function capture(run: string, name: string): Buffer {
  return fs.readFileSync(path.join(CAPTURED, run, 'otlp', name));
}

test('the committed protobuf descriptor is the one the vendored .proto files produce', () => {
  assert.equal(fs.readFileSync(DESCRIPTOR_PATH, 'utf8'), descriptorFromProtoFiles());
});

test('64-bit integers are accepted as numbers and as decimal strings; zero and junk are absent', () => {
  assert.equal(uint64String('1795481627706000000'), '1795481627706000000');
  assert.equal(uint64String('0001795481627706000000'), '1795481627706000000');
  assert.equal(uint64String(1795481627706), '1795481627706');
  assert.equal(uint64String('0'), null);
  assert.equal(uint64String(0), null);
  assert.equal(uint64String('-5'), null);
  assert.equal(uint64String('12abc'), null);
  assert.equal(uint64String('99999999999999999999'), null, 'beyond 2^64');
  assert.equal(uint64String(1.5), null);
});

test('AnyValue: intValue as string or number, doubles, bools, arrays and kvlists', () => {
  assert.equal(anyValue({ intValue: '2538' }), 2538);
  assert.equal(anyValue({ intValue: 14312 }), 14312);
  assert.equal(anyValue({ intValue: '9007199254740993' }), '9007199254740993', 'past 2^53 stays exact as text');
  assert.equal(anyValue({ doubleValue: 0.0114066 }), 0.0114066);
  assert.equal(anyValue({ boolValue: false }), false);
  assert.equal(anyValue({ stringValue: '' }), '');
  assert.deepEqual(anyValue({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } }), ['a', 2]);
  assert.deepEqual(anyValue({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }), { k: true });
  assert.equal(anyValue({}), null);
  assert.equal(anyValue('not an AnyValue'), null);
});

test('record time: timeUnixNano, else event.timestamp (Codex sends 0), else observedTimeUnixNano', () => {
  const rec = (over: Partial<OtlpLogRecord>): OtlpLogRecord => ({
    index: 0,
    resource: {},
    scope: '',
    attributes: {},
    body: null,
    eventName: '',
    timeUnixNano: null,
    observedTimeUnixNano: null,
    ...over,
  });
  assert.equal(logRecordTime(rec({ timeUnixNano: '1795481627706000000' })), '2026-11-24T00:53:47.706Z');
  assert.equal(
    logRecordTime(rec({ attributes: { 'event.timestamp': '2026-11-24T00:52:47.298Z' }, observedTimeUnixNano: '1795481567298998660' })),
    '2026-11-24T00:52:47.298Z',
  );
  assert.equal(logRecordTime(rec({ observedTimeUnixNano: '1795481567298998660' })), '2026-11-24T00:52:47.298Z');
  assert.equal(logRecordTime(rec({ timeUnixNano: '5' })), undefined, 'a time in 1970 is garbage, not an event time');
  assert.equal(logRecordTime(rec({})), undefined);
});

test('Codex JSON capture: time 0 is absent, token counts written as strings read as numbers', () => {
  const req = JSON.parse(capture('codex-json', 'codex-json-0005-otlp-logs.json').toString());
  const records = logRecordsOf(req);
  assert.ok(records.length > 10);
  assert.ok(records.every((r) => r.timeUnixNano === null && r.observedTimeUnixNano !== null));
  const usage = records.filter((r) => r.attributes.input_token_count !== undefined);
  assert.deepEqual(
    usage.map((r) => [r.attributes.input_token_count, r.attributes.cached_token_count]),
    [
      ['2516', 1536],
      ['2538', 1536],
    ],
  );
});

test('protobuf decodes into the same records as the JSON it was encoded from', () => {
  for (const [signal, name] of [
    ['logs', 'codex-json-0005-otlp-logs.json'],
    ['metrics', 'codex-json-0004-otlp-metrics.json'],
  ] as const) {
    const json = JSON.parse(capture('codex-json', name).toString());
    const decoded = decodeOtlpRequest(signal, encodeOtlpRequest(signal, json));
    if (signal === 'logs') {
      const strip = (rs: OtlpLogRecord[]) => rs.map((r) => ({ ...r, attributes: normalizeInts(r.attributes) }));
      assert.deepEqual(strip(logRecordsOf(decoded)), strip(logRecordsOf(json)));
    } else {
      assert.deepEqual(metricPointsOf(decoded), metricPointsOf(json));
    }
  }
});

/** Codex spells some ints as strings in JSON; protobuf has only one spelling. Compare as numbers. */
function normalizeInts(a: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]));
}

test('captured Claude Code protobuf bodies decode with 64-bit fields as decimal strings', () => {
  const body = capture('claude-protobuf', 'claude-protobuf-0010-otlp-logs.pb');
  const records = logRecordsOf(parseOtlpBody('logs', 'protobuf', body));
  const api = records.filter((r) => r.attributes['event.name'] === 'api_request');
  assert.ok(api.length > 0);
  assert.ok(api.every((r) => typeof r.attributes.input_tokens === 'number' && /^\d{19}$/.test(r.timeUnixNano ?? '')));
  assert.equal(records[0].resource['service.name'], 'claude-code');
});

test('content types, encodings and malformed bodies map to 415 / 413 / 400', async () => {
  assert.equal(otlpEncodingOf('application/json; charset=utf-8'), 'json');
  assert.equal(otlpEncodingOf('Application/X-Protobuf'), 'protobuf');
  const status = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof OtlpHttpError);
      return e.status;
    }
    return 200;
  };
  assert.equal(status(() => otlpEncodingOf('text/plain')), 415);
  assert.equal(status(() => otlpEncodingOf(undefined)), 415);
  assert.equal(status(() => parseOtlpBody('logs', 'json', Buffer.from('{'))), 400);
  const pb = capture('claude-protobuf', 'claude-protobuf-0010-otlp-logs.pb');
  assert.equal(status(() => parseOtlpBody('logs', 'protobuf', pb.subarray(0, pb.length - 7))), 400);

  const zipped = gzipSync(Buffer.from('{"resourceLogs":[]}'));
  assert.equal((await decodeContentEncoding(zipped, 'gzip', 1000)).toString(), '{"resourceLogs":[]}');
  await assert.rejects(decodeContentEncoding(gzipSync(Buffer.alloc(100_000)), 'gzip', 1000), (e: OtlpHttpError) => e.status === 413);
  await assert.rejects(decodeContentEncoding(zipped.subarray(0, 10), 'gzip', 1000), (e: OtlpHttpError) => e.status === 400);
  await assert.rejects(decodeContentEncoding(zipped, 'zstd', 1000), (e: OtlpHttpError) => e.status === 415);
});
