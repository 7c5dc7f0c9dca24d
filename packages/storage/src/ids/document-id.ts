/**
 * Convex document ids (docs/semantics.md#values-and-ids): `base32(varint(tableNumber) ‖ internalId[16] ‖ footer)` where
 * footer = fletcher16(previous bytes) XOR version (0), little-endian.
 */
import { randomFillSync } from "node:crypto";
import type { DocumentId, TableNumber } from "../types.js";
import { decodeBase32, encodeBase32 } from "./base32.js";
import { fletcher16 } from "./checksum.js";
import { decodeVarint, encodeVarint } from "./varint.js";

const VERSION = 0;
export const MIN_ID_LENGTH = 31;
export const MAX_ID_LENGTH = 37;

export interface DecodedId {
  readonly tableNumber: TableNumber;
  readonly internalId: Uint8Array;
}

export function encodeId(tableNumber: number, internalId: Uint8Array): DocumentId {
  if (internalId.length !== 16) throw new TypeError(`internal id must be 16 bytes, got ${internalId.length}`);
  if (!Number.isInteger(tableNumber) || tableNumber <= 0 || tableNumber > 0xffffffff)
    throw new TypeError(`invalid table number ${tableNumber}`);
  const head = encodeVarint(tableNumber);
  const bytes = new Uint8Array(head.length + 18);
  bytes.set(head);
  bytes.set(internalId, head.length);
  const footer = fletcher16(bytes.subarray(0, head.length + 16)) ^ VERSION;
  bytes[head.length + 16] = footer & 0xff;
  bytes[head.length + 17] = footer >> 8;
  return encodeBase32(bytes) as DocumentId;
}

/** Parses an id; `null` for anything that is not exactly the canonical encoding of one. */
export function decodeId(id: string): DecodedId | null {
  if (typeof id !== "string" || id.length < MIN_ID_LENGTH || id.length > MAX_ID_LENGTH) return null;
  const bytes = decodeBase32(id);
  if (!bytes) return null;
  const head = decodeVarint(bytes);
  if (!head || head.value === 0) return null;
  // An over-long varint (a trailing 0 group) would not round-trip; base32 padding is checked above.
  if (head.length > 1 && bytes[head.length - 1] === 0) return null;
  if (bytes.length !== head.length + 18) return null;
  const internalId = bytes.slice(head.length, head.length + 16);
  const footer = bytes[head.length + 16]! | (bytes[head.length + 17]! << 8);
  if (footer !== (fletcher16(bytes.subarray(0, head.length + 16)) ^ VERSION)) return null;
  return { tableNumber: head.value as TableNumber, internalId };
}

export function isId(id: string): id is DocumentId {
  return decodeId(id) !== null;
}

export function tableNumberOfId(id: string): TableNumber | null {
  return decodeId(id)?.tableNumber ?? null;
}

// Random bytes are drawn from the CSPRNG in blocks: one syscall per 256 ids instead of one each.
const pool = new Uint8Array(4096);
let poolPos = pool.length;

/**
 * A fresh id: the creation time in milliseconds (6 bytes, big-endian) followed by 10 random bytes
 * (80 bits). Convex's own ids carry a time part too (clients can't tell either way). Ids that
 * grow with time keep a table's new documents at the end of its B-tree: a group of inserts
 * touches a few pages instead of one page each.
 */
export function newDocumentId(tableNumber: number): DocumentId {
  if (poolPos + 16 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const bytes = pool.subarray(poolPos, poolPos + 16);
  const ms = Date.now();
  const high = Math.floor(ms / 2 ** 32);
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  const id = encodeId(tableNumber, bytes);
  pool.fill(0, poolPos, poolPos + 16); // used bytes don't linger
  poolPos += 16;
  return id;
}

/**
 * The table number an id claims, read from its first characters without checking the rest; `null`
 * when that much doesn't parse. Enough to route a lookup: a malformed id then finds nothing.
 */
export function claimedTableNumber(id: string): number | null {
  if (typeof id !== "string" || id.length < MIN_ID_LENGTH || id.length > MAX_ID_LENGTH) return null;
  const head = decodeBase32(id.slice(0, 8));
  const v = head && decodeVarint(head);
  return v && v.value > 0 ? v.value : null;
}
