/**
 * Reading Convex JSON (docs/semantics.md#values-and-ids) without decoding it into JS values: which type a JSON value
 * encodes, and the payloads of the `$`-tagged forms. Validation and size accounting walk the wire
 * form directly, so nothing is copied.
 */
import type { ConvexJSON } from "@tandem/storage";

export type ConvexType =
  "null" | "int64" | "float64" | "boolean" | "string" | "bytes" | "array" | "object" | "commitTs";

export type JsonObject = { [key: string]: ConvexJSON };

const TAGS = new Set(["$integer", "$float", "$bytes", "$commitTs"]);

/** The single key of a one-key object whose key is a `$` tag, else null. */
function specialTag(obj: JsonObject): string | null {
  let key: string | null = null;
  for (const k in obj) {
    if (key !== null) return null;
    key = k;
  }
  return key !== null && TAGS.has(key) ? key : null;
}

export function typeOf(value: ConvexJSON): ConvexType {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return "float64";
    case "string":
      return "string";
    default:
      break;
  }
  if (Array.isArray(value)) return "array";
  switch (specialTag(value as JsonObject)) {
    case "$integer":
      return "int64";
    case "$float":
      return "float64";
    case "$bytes":
      return "bytes";
    case "$commitTs":
      return "commitTs";
    default:
      return "object";
  }
}

export function isPlainObject(value: ConvexJSON): value is JsonObject {
  return typeOf(value) === "object";
}

/** The float a `number` or `{"$float": base64}` encodes. */
export function floatOf(value: ConvexJSON): number {
  if (typeof value === "number") return value;
  const bytes = Buffer.from((value as { $float: string }).$float, "base64");
  if (bytes.length !== 8) return Number.NaN;
  return bytes.readDoubleLE(0);
}

/** The int64 a `{"$integer": base64}` encodes (8 bytes, little-endian two's complement). */
export function int64Of(value: ConvexJSON): bigint {
  const bytes = Buffer.from((value as { $integer: string }).$integer, "base64");
  if (bytes.length !== 8) return 0n;
  return bytes.readBigInt64LE(0);
}

/** Byte length of a `{"$bytes": base64}` payload, computed without decoding it. */
export function bytesLength(value: ConvexJSON): number {
  const b64 = (value as { $bytes: string }).$bytes;
  let pad = 0;
  if (b64.endsWith("==")) pad = 2;
  else if (b64.endsWith("=")) pad = 1;
  return Math.floor((b64.length * 3) / 4) - pad;
}

/** Bit-exact float equality (Convex compares floats by total order: NaN = NaN, 0 ≠ -0). */
export function sameFloat(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

/** Structural equality of two Convex JSON values under Convex's value semantics. */
export function convexEquals(a: ConvexJSON, b: ConvexJSON): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case "null":
    case "commitTs":
      return true;
    case "boolean":
    case "string":
      return a === b;
    case "float64":
      return sameFloat(floatOf(a), floatOf(b));
    case "int64":
      return int64Of(a) === int64Of(b);
    case "bytes":
      return Buffer.from((a as { $bytes: string }).$bytes, "base64").equals(
        Buffer.from((b as { $bytes: string }).$bytes, "base64"),
      );
    case "array": {
      const xs = a as ConvexJSON[];
      const ys = b as ConvexJSON[];
      return xs.length === ys.length && xs.every((x, i) => convexEquals(x, ys[i]!));
    }
    case "object": {
      const xo = a as JsonObject;
      const yo = b as JsonObject;
      const xk = Object.keys(xo);
      if (xk.length !== Object.keys(yo).length) return false;
      return xk.every((k) => Object.hasOwn(yo, k) && convexEquals(xo[k]!, yo[k]!));
    }
    default:
      return ta satisfies never;
  }
}
