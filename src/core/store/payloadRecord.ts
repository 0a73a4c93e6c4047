/**
 * The framing of a payload file (`payloadFile.ts`). The file starts with `FILE_HEADER`; then come
 * blocks, and in files written before the blocks, plain records.
 *
 * A record is a 12-byte header — crc32 (u32 LE) of everything after it in the record, the body's
 * length (u32 LE), the low 32 bits of the event row's id (u32 LE) — then the metadata's UTF-8
 * bytes. A row that points at a plain record holds `(payload_off, payload_len)` = the record's
 * offset and its body length.
 *
 * A block holds up to `MAX_BLOCK_RECORDS` records back to back, compressed together with brotli
 * (one record's JSON compresses poorly; a block of them 3-5x): a 16-byte header — crc32 (u32 LE) of
 * everything after it in the block, the compressed length, the records' length, the number of
 * records (each u32 LE) — then the compressed bytes. A row in a block holds
 * `payload_off = BLOCKED + block offset * MAX_BLOCK_RECORDS + its index in the block` (file
 * offsets stay below 2^40, so this stays an exact double) and its body length.
 *
 * A read accepts a record only if length, id and checksum match (and, in a block, the block's
 * checksum), so a damaged file or a stale offset reads as missing, never as another event's
 * metadata. Damage inside a block makes all of that block's records read as missing.
 */
import { crc32 } from 'node:zlib';

export const FILE_HEADER = Buffer.from('AMPAYLD\x02', 'latin1');
export const RECORD_HEADER = 12;
export const BLOCK_HEADER = 16;
export const MAX_BLOCK_RECORDS = 2048;
/** `payload_off` at or above this points into a block. */
export const BLOCKED = 2 ** 51;

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

/** Fill in the header of the block at `at` whose compressed bytes (`compLen`) are already in `buf`. */
export function frameBlock(buf: Buffer, at: number, compLen: number, rawLen: number, count: number): void {
  buf.writeUInt32LE(compLen, at + 4);
  buf.writeUInt32LE(rawLen, at + 8);
  buf.writeUInt32LE(count, at + 12);
  buf.writeUInt32LE(crc32(buf.subarray(at + 4, at + BLOCK_HEADER + compLen)), at);
}

export function blockedOffset(blockAt: number, index: number): number {
  return BLOCKED + blockAt * MAX_BLOCK_RECORDS + index;
}

/** The block's file offset and the record's index in it, for a `payload_off` at or above `BLOCKED`. */
export function blockOf(off: number): { at: number; index: number } {
  const rel = off - BLOCKED;
  return { at: Math.floor(rel / MAX_BLOCK_RECORDS), index: rel % MAX_BLOCK_RECORDS };
}

/** Where record `index` starts in a block's records (`raw`), or -1 if the block is too short. */
export function recordAt(raw: Buffer, index: number): number {
  let at = 0;
  for (let i = 0; i < index; i++) {
    if (at + RECORD_HEADER > raw.length) return -1;
    at += RECORD_HEADER + raw.readUInt32LE(at + 4);
  }
  return at + RECORD_HEADER <= raw.length ? at : -1;
}
