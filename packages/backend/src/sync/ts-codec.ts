/** Timestamps on the wire: base64 of the 8 little-endian bytes of a u64 (docs/sync-protocol.md#timestamps). */
import type { Timestamp } from "@tandem/storage";

export function encodeTs(ts: bigint): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(ts);
  return buf.toString("base64");
}

/** Returns null unless `text` is canonical base64 of exactly 8 bytes. */
export function decodeTs(text: string): Timestamp | null {
  if (text.length !== 12) return null;
  const buf = Buffer.from(text, "base64");
  if (buf.length !== 8 || buf.toString("base64") !== text) return null;
  return buf.readBigUInt64LE() as Timestamp;
}
