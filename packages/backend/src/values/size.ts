/**
 * Size of a value in Convex's accounting (type byte + payload + terminators), computed on the
 * Convex JSON wire form; equal to `getConvexSize` of `convex/values` on the decoded value.
 */
import type { ConvexJSON } from "@tandem/storage";
import { bytesLength, typeOf, type JsonObject } from "./classify.js";

export function convexJsonSize(value: ConvexJSON): number {
  const t = typeOf(value);
  switch (t) {
    case "null":
    case "boolean":
      return 1;
    case "float64":
    case "int64":
    case "commitTs":
      return 9;
    case "string":
      return 2 + Buffer.byteLength(value as string, "utf8");
    case "bytes":
      return 2 + bytesLength(value);
    case "array": {
      let size = 2;
      for (const item of value as ConvexJSON[]) size += convexJsonSize(item);
      return size;
    }
    case "object": {
      const obj = value as JsonObject;
      let size = 2;
      for (const k in obj) size += Buffer.byteLength(k, "utf8") + 1 + convexJsonSize(obj[k]!);
      return size;
    }
    default:
      return t satisfies never;
  }
}
