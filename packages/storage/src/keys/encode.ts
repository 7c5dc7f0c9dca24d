/**
 * Order-preserving, prefix-free encoding of tuples of Convex values: comparing two encodings byte
 * by byte gives the same answer as comparing the tuples element by element under Convex's total
 * order (`compareValues` in `convex/values`, `sorting.rs` on the server).
 */
import type { Value } from "convex/values";
import type { IndexKey } from "../types.js";
import { Tag } from "./tags.js";
import { ByteWriter } from "./writer.js";

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const SIGN = 0x8000_0000_0000_0000n;
const ALL = 0xffff_ffff_ffff_ffffn;

/** Encodes a tuple; `undefined` stands for a missing field and sorts first. */
export function encodeIndexKey(values: readonly (Value | undefined)[]): IndexKey {
  const w = new ByteWriter();
  for (const v of values) writeValue(w, v, true);
  return w.finish() as unknown as IndexKey;
}

/** Appends one more value to an existing key (used for range bounds). */
export function appendToKey(prefix: Uint8Array, value: Value | undefined): IndexKey {
  const w = new ByteWriter();
  w.bytes(prefix);
  writeValue(w, value, true);
  return w.finish() as unknown as IndexKey;
}

function writeValue(w: ByteWriter, v: Value | undefined, topLevel: boolean): void {
  if (v === undefined) {
    if (!topLevel) throw new TypeError("undefined is not a valid Convex value inside an array");
    w.byte(Tag.Undefined);
  } else if (v === null) {
    w.byte(Tag.Null);
  } else if (typeof v === "bigint") {
    if (v < MIN_INT64 || v > MAX_INT64) throw new TypeError(`BigInt ${v} does not fit into a 64-bit signed integer.`);
    w.byte(Tag.Int64);
    // Two's complement with the sign bit flipped orders like the integers.
    w.u64((BigInt.asUintN(64, v) ^ SIGN) & ALL);
  } else if (typeof v === "number") {
    w.byte(Tag.Float64);
    w.orderedFloat64(v);
  } else if (typeof v === "boolean") {
    w.byte(v ? Tag.True : Tag.False);
  } else if (typeof v === "string") {
    if (!(v as string & { isWellFormed(): boolean }).isWellFormed())
      throw new TypeError("strings in Convex values must be well-formed Unicode");
    w.byte(Tag.String);
    w.escapedString(v);
  } else if (v instanceof ArrayBuffer) {
    w.byte(Tag.Bytes);
    w.escaped(new Uint8Array(v));
  } else if (Array.isArray(v)) {
    w.byte(Tag.Array);
    for (const item of v) writeValue(w, item, false);
    w.byte(Tag.End);
  } else if (typeof v === "object") {
    w.byte(Tag.Object);
    // Field names are ASCII, so the default (UTF-16) sort equals Convex's byte order.
    for (const k of Object.keys(v).sort()) {
      const item = (v as Record<string, Value | undefined>)[k];
      if (item === undefined) continue; // dropped like convexToJson does
      w.byte(Tag.String);
      w.escapedString(k);
      writeValue(w, item, false);
    }
    w.byte(Tag.End);
  } else {
    throw new TypeError(`not a Convex value: ${typeof v}`);
  }
}
