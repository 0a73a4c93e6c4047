/**
 * Records packed where they are made (an import's parse worker) and unpacked where they are stored
 * (the store worker): the main thread only passes the bytes on, transferred, never cloning the
 * records itself (`contracts/importWorker.ts`).
 */
import * as v8 from 'node:v8';
import type { PackedRecords } from '../contracts/importWorker';
import type { EventRecord } from './records';

export function packRecords(records: EventRecord[]): PackedRecords {
  return { count: records.length, bytes: v8.serialize(records) };
}

/** The records of `chunks` in order, numbered from `firstId`. */
export function unpackRecords(chunks: Uint8Array[], firstId: number): EventRecord[] {
  const out: EventRecord[] = [];
  let id = firstId;
  for (const c of chunks) {
    for (const r of v8.deserialize(c) as EventRecord[]) {
      r.id = id++;
      out.push(r);
    }
  }
  return out;
}
