/**
 * Reading complete lines of a file from a byte offset, in bounded memory. A last line without its
 * newline is not returned (a writer may be half-way through it): the returned `end` stops before
 * it, so the next pass starts there. Lines longer than `maxLineBytes` are skipped (reported).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

export const CHUNK_BYTES = 1 << 20;
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Read buffers kept for the next file: an import reads hundreds of files, and a fresh 1 MB buffer
 * each costs its page faults again (about 1 ms per file on the benchmark machine).
 */
const chunks: Buffer[] = [];
const MAX_POOLED_CHUNKS = 4;

export interface LineSink {
  line(text: string, lineNo: number): void | Promise<void>;
  tooLong(lineNo: number, bytes: number): void;
}

export interface ReadOutcome {
  /** Offset just past the last complete line. */
  end: number;
  /** Lines seen (complete ones). */
  lines: number;
}

export async function readLines(
  file: string,
  start: number,
  stop: number,
  firstLineNo: number,
  sink: LineSink,
  maxLineBytes = MAX_LINE_BYTES,
): Promise<ReadOutcome> {
  const fh = await fs.promises.open(file, 'r');
  const buf = chunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  try {
    let pos = start;
    let end = start;
    let lineNo = firstLineNo;
    let carry: Buffer[] = [];
    let carryLen = 0;
    let oversized = false;
    while (pos < stop) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, stop - pos), pos);
      if (bytesRead <= 0) break;
      let s = 0;
      for (;;) {
        const nl = buf.indexOf(10, s);
        if (nl < 0 || nl >= bytesRead) break;
        lineNo++;
        if (oversized || carryLen + nl - s > maxLineBytes) {
          sink.tooLong(lineNo, carryLen + nl - s);
        } else if (carryLen) {
          carry.push(buf.subarray(s, nl));
          const r = sink.line(Buffer.concat(carry).toString('utf8'), lineNo);
          if (r) await r;
        } else if (nl > s) {
          const r = sink.line(buf.toString('utf8', s, nl), lineNo);
          if (r) await r;
        }
        carry = [];
        carryLen = 0;
        oversized = false;
        s = nl + 1;
        end = pos + s;
      }
      if (s < bytesRead) {
        carryLen += bytesRead - s;
        if (carryLen > maxLineBytes) {
          oversized = true;
          carry = [];
        } else carry.push(Buffer.from(buf.subarray(s, bytesRead)));
      }
      pos += bytesRead;
    }
    return { end, lines: lineNo - firstLineNo };
  } finally {
    if (chunks.length < MAX_POOLED_CHUNKS) chunks.push(buf);
    await fh.close();
  }
}

/** `<length>:<hex>` hash of the first bytes of a file: notices a file replaced under the same name. */
export async function headHash(file: string, upTo: number): Promise<string> {
  const len = Math.min(4096, upTo);
  if (len <= 0) return '0:';
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    return `${bytesRead}:${createHash('sha1').update(buf.subarray(0, bytesRead)).digest('hex')}`;
  } finally {
    await fh.close();
  }
}
