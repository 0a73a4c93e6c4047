/**
 * Builds the protobufjs JSON descriptor (`../otlpDescriptor.json`) from the vendored official OTLP
 * `.proto` files in this folder. The descriptor is what the server loads, so the esbuild bundle
 * needs no files beside it. Regenerate after updating the `.proto` files:
 * `node --import tsx src/core/otel/proto/generateDescriptor.ts` (a unit test checks they agree).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Root } from 'protobufjs';

export const DESCRIPTOR_PATH = path.join(__dirname, '..', 'otlpDescriptor.json');

const SERVICE_FILES = [
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
];

/** Parse the vendored `.proto` files and return their descriptor as JSON text. */
export function descriptorFromProtoFiles(): string {
  const root = new Root();
  root.resolvePath = (_origin, target) => path.join(__dirname, target);
  root.loadSync(SERVICE_FILES, { keepCase: false });
  return `${JSON.stringify(root.toJSON(), null, 1)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(DESCRIPTOR_PATH, descriptorFromProtoFiles());
  console.log(`wrote ${DESCRIPTOR_PATH}`);
}
