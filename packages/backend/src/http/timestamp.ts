/** Timestamps on the wire: base64 of the 8 little-endian bytes of the u64 (research §2.2). */
import { badRequest } from "../errors.js";
import type { Timestamp } from "@tandem/storage";

export function encodeTs(ts: Timestamp): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ts);
  return b.toString("base64");
}

export function decodeTs(raw: unknown): Timestamp {
  if (typeof raw !== "string") throw badRequest("InvalidTimestamp", "`ts` must be a base64-encoded u64.");
  const b = Buffer.from(raw, "base64");
  if (b.length !== 8) throw badRequest("InvalidTimestamp", "`ts` must be a base64-encoded u64.");
  return b.readBigUInt64LE(0) as Timestamp;
}
