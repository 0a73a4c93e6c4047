/**
 * The number the store finds a stored `event_id` by (migration 8): 48 bits from two 32-bit
 * FNV-1a-style passes over the id's UTF-16 code units. The index holds these 6 bytes instead of the
 * text (55 bytes an event on 1M demo events); a lookup compares the text in the row, so two ids
 * with one hash are still two events. Stored: never change it.
 */
export function eventIdHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x10000 + (b >>> 16);
}
