/**
 * The framing of a payload file (`payloadFile.ts`). The file starts with `FILE_HEADER`; each record
 * is a 12-byte header — crc32 (u32 LE) of everything after it in the record, the body's length
 * (u32 LE), the low 32 bits of the event row's id (u32 LE) — then the metadata's UTF-8 bytes.
 * A row's `(payload_off, payload_len)` is the record's offset and its body length: a read accepts
 * the record only if length, id and checksum match, so a damaged file or a stale offset reads as
 * missing, never as another event's metadata.
 */
import { crc32 } from 'node:zlib';

export const FILE_HEADER = Buffer.from('AMPAYLD\x02', 'latin1');
export const RECORD_HEADER = 12;

/** Fill in the header of the record at `at` whose body (`len` bytes) is already in `buf`. */
export function frame(buf: Buffer, at: number, len: number, id: number): void {
  buf.writeUInt32LE(len, at + 4);
  buf.writeUInt32LE(id >>> 0, at + 8);
  buf.writeUInt32LE(crc32(buf.subarray(at + 4, at + RECORD_HEADER + len)), at);
}

/** Whether `buf` holds at `at` the record of row `id` with a body of `len` bytes, undamaged. */
export function verify(buf: Buffer, at: number, len: number, id: number): boolean {
  return (
    at + RECORD_HEADER + len <= buf.length &&
    buf.readUInt32LE(at + 4) === len &&
    buf.readUInt32LE(at + 8) === id >>> 0 &&
    buf.readUInt32LE(at) === crc32(buf.subarray(at + 4, at + RECORD_HEADER + len))
  );
}
